// The guard's reads of Microsoft Graph (issue 12): each call exactly as its page documents it (version, path, $filter
// syntax, ConsistencyLevel + $count where the page requires them), paged strictly. Nothing here decides who is
// privileged (src/lib/reset/guard.ts does); everything here refuses to hand back a partial answer: a page without
// `value`, a nextLink to another host or version, paging past the cap, or an item missing what the guard needs is a
// GraphCallError of kind `unreadable`, never a shorter list.
import type {
  GraphCallContext,
  GroupAccessKind,
  GroupEligibility,
  GroupFact,
  PrincipalKind,
  RoleGrant,
  UserPrivilegeFacts,
} from '../domain/index.js';
import { GraphCallError, GraphTransportError, isGuid } from '../domain/index.js';
import { mapBoundedSettled, settleAll } from '../concurrency/bounded.js';
import { asRecord } from './graph-answers.js';
import { readAllPages, unreadable } from './strict-pages.js';
import { graphPermissions } from './graph-permissions.js';
import type { GraphVersion } from './method-catalogue.js';
import { encodeUserKey, filterGuid } from './user-key.js';

/** One GET through the adapter's chain; a non-2xx answer is already the domain's failure. */
export type GuardGet = (request: {
  readonly version: GraphVersion;
  readonly path: string;
  readonly operation: string;
  readonly permissions: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly ctx?: GraphCallContext;
  readonly deferFailures: false;
}) => Promise<{ readonly body: unknown }>;

/** Pages followed before a list counts as cut short. With $top=999 that is ~99,900 groups. */
export const defaultGuardPageCap = 100;

/**
 * Rounds of the client's own retries a guard read gets when Graph keeps failing on its side without saying when to
 * come back (5xx without Retry-After, no answer). A read still failing after them fails the guard (guard_unavailable)
 * instead of being handed back as "retry later"; a wait Graph asks for (429, Retry-After) is handed back as for every
 * call, and the guard runs again on the item's next attempt.
 */
export const guardReadRounds = 3;
const pauseBetweenRoundsMs = 250;

// "ConsistencyLevel: eventual. This header and $count are required when using … OData cast query parameters"
// (api/user-list-transitivememberof); the same advanced-query pair is sent wherever this file casts.
const advanced = { ConsistencyLevel: 'eventual' } as const;
const groupFields = '$select=id,isAssignableToRole,securityEnabled';
const filter = (expression: string): string => `$filter=${encodeURIComponent(expression)}`;

export class PrivilegeReads {
  constructor(
    private readonly get: GuardGet,
    /** The Graph root this adapter talks to (no version): a nextLink must stay on it. */
    private readonly root: URL,
    private readonly pageCap = defaultGuardPageCap,
  ) {}

  /** Reads #1–#5 in parallel, then #6 for eligible groups the memberships did not describe. */
  async readUserPrivilege(userId: string, ctx?: GraphCallContext): Promise<UserPrivilegeFacts> {
    const id = filterGuid(userId);
    const [activeRoles, eligibleRoles, memberOf, ownerOf, eligible] = await settleAll([
      this.roleAssignments(id, ctx),
      this.roleEligibilities(id, ctx),
      this.memberOf(id, ctx),
      this.ownedGroups(id, ctx),
      this.groupEligibilities(`principalId eq '${id}'`, false, ctx),
    ] as const);
    const known = new Map<string, GroupFact>([...memberOf, ...ownerOf].map((g) => [g.id, g]));
    const unknown = [...new Set(eligible.map((e) => e.groupId))].filter((g) => !known.has(g));
    for (const group of await mapBoundedSettled(unknown, 8, (g) => this.group(g, ctx))) known.set(group.id, group);
    return {
      activeRoles,
      eligibleRoles,
      memberOf,
      ownerOf,
      eligibleFor: eligible.map((e) => ({ group: known.get(e.groupId) as GroupFact, access: e.access })),
    };
  }

  // #1. Graph docs: "List unifiedRoleAssignments" (api/rbacapplication-list-roleassignments, v1.0): principalId
  // supports eq; every scope and custom roles are listed; a group's assignment is listed under the group.
  private async roleAssignments(id: string, ctx?: GraphCallContext): Promise<RoleGrant[]> {
    const op = 'GET /roleManagement/directory/roleAssignments';
    const rows = await this.list(
      'v1.0',
      `/roleManagement/directory/roleAssignments?${filter(`principalId eq '${id}'`)}`,
      op,
      graphPermissions.readRoleAssignments,
      ctx,
    );
    return rows.map(roleGrant);
  }

  // #2. Graph docs: "List roleEligibilityScheduleInstances" (api/rbacapplication-list-roleeligibilityscheduleinstances,
  // v1.0): principalId supports eq and ne only (no `in`).
  private async roleEligibilities(id: string, ctx?: GraphCallContext): Promise<RoleGrant[]> {
    const op = 'GET /roleManagement/directory/roleEligibilityScheduleInstances';
    const rows = await this.list(
      'v1.0',
      `/roleManagement/directory/roleEligibilityScheduleInstances?${filter(`principalId eq '${id}'`)}`,
      op,
      graphPermissions.readRoleEligibility,
      ctx,
    );
    return rows.map(roleGrant);
  }

  // #3. Graph docs: "List a user's transitive memberships" (api/user-list-transitivememberof, v1.0), cast to groups:
  // ConsistencyLevel: eventual and $count=true are required with a cast; $top up to 999.
  private async memberOf(id: string, ctx?: GraphCallContext): Promise<GroupFact[]> {
    const op = 'GET /users/{id}/transitiveMemberOf/microsoft.graph.group';
    const rows = await this.list(
      'v1.0',
      `/users/${encodeUserKey(id)}/transitiveMemberOf/microsoft.graph.group?${groupFields}&$top=999&$count=true`,
      op,
      graphPermissions.readMemberships,
      ctx,
      advanced,
    );
    return rows.map((r) => groupFact(r, op));
  }

  // #4. Graph docs: "List ownedObjects" (api/user-list-ownedobjects, v1.0), cast to groups. The page names no header;
  // a query valid without the advanced parameters is also valid with them (aad-advanced-queries), so #3's are sent.
  private async ownedGroups(id: string, ctx?: GraphCallContext): Promise<GroupFact[]> {
    const op = 'GET /users/{id}/ownedObjects/microsoft.graph.group';
    const rows = await this.list(
      'v1.0',
      `/users/${encodeUserKey(id)}/ownedObjects/microsoft.graph.group?${groupFields}&$top=999&$count=true`,
      op,
      graphPermissions.readOwnedObjects,
      ctx,
      advanced,
    );
    return rows.map((r) => groupFact(r, op));
  }

  // #5 and the tenant sets. Graph docs: "List eligibilityScheduleInstances" (PIM for Groups,
  // api/privilegedaccessgroup-list-eligibilityscheduleinstances, v1.0): "This method requires the $filter (eq) query
  // parameter to scope the request to a principalId or a groupId"; the `principal` relationship supports $expand
  // (resources/privilegedaccessgroupeligibilityscheduleinstance), which tells a group principal from a user.
  private async groupEligibilities(
    expression: string,
    expandPrincipal: boolean,
    ctx?: GraphCallContext,
  ): Promise<(GroupEligibility & { readonly groupId: string })[]> {
    const op = 'GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances';
    const rows = await this.list(
      'v1.0',
      `/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?${filter(expression)}` +
        (expandPrincipal ? '&$expand=principal' : ''),
      op,
      graphPermissions.readGroupEligibility,
      ctx,
    );
    return rows.map((r) => {
      const access = r.accessId;
      if (access !== 'member' && access !== 'owner')
        throw unreadable(op, 'an instance without accessId member or owner');
      return {
        principalId: guidOf(r.principalId, op, 'principalId'),
        groupId: guidOf(r.groupId, op, 'groupId'),
        access: access satisfies GroupAccessKind,
        principalKind: expandPrincipal ? principalKind(r, op) : 'unknown',
      };
    });
  }

  // #6. Graph docs: "Get group" (api/group-get, v1.0).
  private async group(id: string, ctx?: GraphCallContext): Promise<GroupFact> {
    const op = 'GET /groups/{id}';
    const { body } = await this.fetch({
      version: 'v1.0',
      path: `/groups/${encodeUserKey(filterGuid(id))}?${groupFields}`,
      operation: op,
      permissions: graphPermissions.readGroups,
      ctx,
    });
    return groupFact(asRecord(body), op);
  }

  /** Who is PIM-eligible for the group (tenant set). */
  async listGroupEligibilities(groupId: string, ctx?: GraphCallContext): Promise<GroupEligibility[]> {
    const rows = await this.groupEligibilities(`groupId eq '${filterGuid(groupId)}'`, true, ctx);
    return rows.map(({ groupId: _groupId, ...eligibility }) => eligibility);
  }

  // Graph docs: "List groups" (api/group-list, v1.0): isAssignableToRole supports $filter eq (resources/group).
  // The flag is selected as a canary: every group this filter returns must say true, or we cannot read it.
  async listRoleAssignableGroups(ctx?: GraphCallContext): Promise<string[]> {
    const op = 'GET /groups';
    const rows = await this.list(
      'v1.0',
      `/groups?${filter('isAssignableToRole eq true')}&$select=id,isAssignableToRole&$top=999`,
      op,
      graphPermissions.readGroups,
      ctx,
    );
    return rows.map((r) => {
      if (r.isAssignableToRole !== true) throw unreadable(op, 'a role-assignable group without isAssignableToRole');
      return guidOf(r.id, op, 'id');
    });
  }

  // Graph docs: "List group transitive members" (api/group-list-transitivemembers, v1.0), cast to groups: the cast
  // needs ConsistencyLevel: eventual and $count=true (aad-advanced-queries, "OData cast").
  async listNestedGroups(groupId: string, ctx?: GraphCallContext): Promise<string[]> {
    const op = 'GET /groups/{id}/transitiveMembers/microsoft.graph.group';
    const rows = await this.list(
      'v1.0',
      `/groups/${encodeUserKey(filterGuid(groupId))}/transitiveMembers/microsoft.graph.group?$select=id&$top=999&$count=true`,
      op,
      graphPermissions.readGroups,
      ctx,
      advanced,
    );
    return rows.map((r) => guidOf(r.id, op, 'id'));
  }

  /** One GET, in up to guardReadRounds rounds of the client's retries while Graph fails on its side. */
  private async fetch(request: Omit<Parameters<GuardGet>[0], 'deferFailures'>): Promise<{ readonly body: unknown }> {
    for (let round = 1; ; round++) {
      try {
        return await this.get({ ...request, deferFailures: false });
      } catch (error) {
        const failing =
          (error instanceof GraphCallError && error.kind === 'unavailable') || error instanceof GraphTransportError;
        if (!failing || round >= guardReadRounds || request.ctx?.signal?.aborted) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseBetweenRoundsMs * round));
    }
  }

  /** Every page of a collection, or an `unreadable` failure: never a list cut short (strict-pages.ts). */
  private list(
    version: GraphVersion,
    firstPath: string,
    operation: string,
    permissions: readonly string[],
    ctx: GraphCallContext | undefined,
    headers?: Readonly<Record<string, string>>,
  ): Promise<Record<string, unknown>[]> {
    return readAllPages(
      { version, firstPath, operation, root: this.root, pageCap: this.pageCap },
      async (path) => (await this.fetch({ version, path, operation, permissions, ctx, headers })).body,
    );
  }
}

function guidOf(value: unknown, operation: string, property: string): string {
  if (typeof value !== 'string' || !isGuid(value)) throw unreadable(operation, `an item without a valid ${property}`);
  return value.toLowerCase();
}

/** Any row is a role held, whatever its scope or definition: the fields are kept for tests and the audit only. */
function roleGrant(row: Record<string, unknown>): RoleGrant {
  const scope = row.directoryScopeId;
  return {
    roleDefinitionId: typeof row.roleDefinitionId === 'string' ? row.roleDefinitionId.toLowerCase() : '',
    directoryScopeId: typeof scope === 'string' ? scope : '',
  };
}

/**
 * A group from a directory-object answer. `securityEnabled` is the canary: it is never null on a group the app may
 * read, and null on the "limited information" Graph returns for objects it may not (concepts/permissions-overview),
 * where `isAssignableToRole` would be null too and a role-assignable group would pass for an ordinary one.
 */
function groupFact(row: Record<string, unknown>, operation: string): GroupFact {
  const id = guidOf(row.id, operation, 'id');
  if (typeof row.securityEnabled !== 'boolean') {
    throw unreadable(operation, 'a group without securityEnabled: the group properties are not readable');
  }
  const flag = row.isAssignableToRole;
  if (flag !== true && flag !== false && flag !== null) {
    throw unreadable(operation, 'a group without isAssignableToRole');
  }
  return { id, roleAssignable: flag === true };
}

/** From the expanded `principal`: null when the directory no longer has it; absent means $expand was not honoured. */
function principalKind(row: Record<string, unknown>, operation: string): PrincipalKind {
  if (!('principal' in row)) throw unreadable(operation, 'an instance without the expanded principal');
  if (row.principal === null) return 'unknown';
  const type = asRecord(row.principal)['@odata.type'];
  if (type === '#microsoft.graph.group') return 'group';
  if (type === '#microsoft.graph.user') return 'user';
  return typeof type === 'string' ? 'other' : 'unknown';
}
