// The tenant's side of the guard: which groups lead to privilege, whoever the target is. A user's own reads show the
// groups it is in, owns or may activate; whether such a group is privileged can need the rest of the tenant:
// - a role-assignable group (RAG) protects its members and owners, active or PIM-eligible;
// - a group that is PIM-eligible member or owner of a RAG lets its members activate into it ("One group can be an
//   eligible member of another group, even if one of those groups is role-assignable", entra-docs
//   concept-pim-for-groups, group nesting), and the PIM instance names the group, never its members;
// - the same holds for the configured protected groups, and for the groups nested in them.
// So from each root (every RAG, every protected group) we collect the groups that reach it (nested in it, or eligible
// for it, and again from those) and the users eligible for any of them, until nothing new turns up. No group can be
// nested in a RAG (entra-docs groups-concept), so a RAG's members are not listed.
// Read once per request (cached by correlation id for a short time): a bulk of 50,000 users reads it once, and a
// single-user request reads it afresh.
import type { GraphCallContext, GraphPort } from '../domain/index.js';
import { GraphCallError } from '../domain/index.js';
import { mapBoundedSettled, settleAll } from '../concurrency/bounded.js';

export interface PrivilegedGroups {
  /** The RAGs, or the configured protected groups. */
  readonly roots: ReadonlySet<string>;
  /** Groups that are the root or reach it: nested in it, or PIM-eligible member or owner of a group that does. */
  readonly groups: ReadonlySet<string>;
  /** Principals (users, mostly) PIM-eligible for one of `groups`. */
  readonly eligiblePrincipals: ReadonlySet<string>;
}

export interface TenantPrivilege {
  /** Everything that reaches a RAG (the RAGs are the roots). */
  readonly toRoleAssignable: PrivilegedGroups;
  /** Everything that reaches a configured protected group (those included). */
  readonly toProtected: PrivilegedGroups;
}

/** Groups a tenant set may hold before the guard gives up (each costs one or two reads). */
export const maxTenantSetGroups = 2_000;

export async function readTenantPrivilege(
  graph: GraphPort,
  protectedGroupIds: readonly string[],
  ctx?: GraphCallContext,
): Promise<TenantPrivilege> {
  const rags = await graph.listRoleAssignableGroups(ctx);
  const ragSet = new Set(rags);
  const [toRoleAssignable, toProtected] = await settleAll([
    reachingGroups(graph, rags, ragSet, ctx),
    reachingGroups(graph, protectedGroupIds, ragSet, ctx),
  ] as const);
  return { toRoleAssignable, toProtected };
}

/** Breadth-first from the roots: nested groups and eligible principals of each group found, once each. */
async function reachingGroups(
  graph: GraphPort,
  roots: readonly string[],
  rags: ReadonlySet<string>,
  ctx: GraphCallContext | undefined,
): Promise<PrivilegedGroups> {
  const groups = new Set(roots);
  const eligiblePrincipals = new Set<string>();
  // A group found in a transitive-members list has its nested groups in that same list: only its eligibilities
  // are still to read.
  let frontier = roots.map((id) => ({ id, nestedKnown: rags.has(id) }));
  while (frontier.length > 0) {
    const read = await mapBoundedSettled(frontier, 8, async ({ id, nestedKnown }) => {
      const [eligible, nested] = await settleAll([
        graph.listGroupEligibilities(id, ctx),
        nestedKnown ? Promise.resolve([]) : graph.listNestedGroups(id, ctx),
      ] as const);
      return { eligible, nested };
    });
    const next: { id: string; nestedKnown: boolean }[] = [];
    const add = (id: string, nestedKnown: boolean): void => {
      if (groups.has(id)) return;
      groups.add(id);
      next.push({ id, nestedKnown: nestedKnown || rags.has(id) });
    };
    for (const { eligible, nested } of read) {
      for (const id of nested) add(id, true);
      for (const e of eligible) {
        eligiblePrincipals.add(e.principalId);
        if (e.principalKind === 'group') add(e.principalId, false);
      }
    }
    if (groups.size > maxTenantSetGroups) {
      throw new GraphCallError(
        'unreadable',
        'tenant privilege sets',
        `More than ${maxTenantSetGroups} groups lead to a role-assignable or protected group; the guard stops there`,
      );
    }
    frontier = next;
  }
  return { roots: new Set(roots), groups, eligiblePrincipals };
}

interface Entry {
  readonly at: number;
  readonly value: Promise<TenantPrivilege>;
}

/**
 * The tenant sets per request: runs of one request (same correlation id) within `ttlMs` share one read, and so do
 * runs without a correlation id (tools and tests; the worker always passes one). A failed read is not kept. The shared
 * read carries no run's signal, so one run's cancellation cannot fail the others; the run that starts it records its
 * request-ids.
 */
export class TenantPrivilegeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly graph: GraphPort,
    private readonly protectedGroupIds: readonly string[],
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 32,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(ctx: GraphCallContext): Promise<TenantPrivilege> {
    const key = ctx.correlationId ?? '';
    if (this.ttlMs <= 0) return readTenantPrivilege(this.graph, this.protectedGroupIds, ctx);
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit && at - hit.at < this.ttlMs) return hit.value;
    // The run that starts the read records its request-ids.
    const shared: GraphCallContext = {
      ...(key ? { correlationId: key } : {}),
      ...(ctx.onRequestId ? { onRequestId: ctx.onRequestId } : {}),
    };
    const value = readTenantPrivilege(this.graph, this.protectedGroupIds, shared);
    this.entries.delete(key);
    this.entries.set(key, { at, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    for (const old of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(old);
    }
    return value;
  }
}
