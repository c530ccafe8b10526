/**
 * roleManagement/directory: roleDefinitions, roleAssignments, roleEligibilityScheduleInstances (v1.0 and beta) and
 * transitiveRoleAssignments (beta only). Filters as each property's doc row lists them:
 * resources/unifiedroleassignment.md (eq, in), resources/unifiedroleeligibilityscheduleinstance.md (eq, ne),
 * resources/unifiedroledefinition.md (eq, in), api/rbacapplication-list-transitiveroleassignments.md (eq; the
 * ConsistencyLevel header, $count and $filter are required, 404 without the header).
 */
import { directoryBadRequest, graphError, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { GRANTS } from '../state/permissions.js';
import type { EligibilityInstance, RoleAssignment } from '../state/privilege-index.js';
import { checkOptions, isAdvanced, pageOf, project, selected } from './collection.js';
import type { ListSpec } from './collection.js';
import { json, requireAny } from './common.js';
import { directoryObjectFor } from './directory-objects.js';
import type { Clause, FilterSpec } from './odata-filter.js';
import { matches, parseFilter, valuesOf } from './odata-filter.js';

const EQ_IN = { ops: ['eq', 'in'] } as const;
const EQ_NE = { ops: ['eq', 'ne'] } as const;

const ASSIGNMENT_FILTER: FilterSpec = {
  principalId: EQ_IN,
  roleDefinitionId: EQ_IN,
  directoryScopeId: EQ_IN,
  appScopeId: EQ_IN,
};
const ELIGIBILITY_FILTER: FilterSpec = {
  principalId: EQ_NE,
  roleDefinitionId: EQ_NE,
  directoryScopeId: { ops: ['eq', 'ne'], nullable: true },
  appScopeId: { ops: ['eq', 'ne'], nullable: true },
  memberType: EQ_NE,
  roleEligibilityScheduleId: EQ_NE,
};
const DEFINITION_FILTER: FilterSpec = {
  id: EQ_IN,
  displayName: EQ_IN,
  isBuiltIn: { ops: ['eq', 'in'], boolean: true },
};
const TRANSITIVE_FILTER: FilterSpec = {
  principalId: { ops: ['eq'] },
  roleDefinitionId: { ops: ['eq'] },
  directoryScopeId: { ops: ['eq'] },
};

/** Server page size is not documented for these lists: 100, like the directory default (our choice). */
const RBAC_LIST: ListSpec = { options: ['$filter', '$select', '$expand'], defaultPageSize: 100 };
const TRANSITIVE_LIST: ListSpec = { options: ['$filter', '$select', '$count'], defaultPageSize: 100 };
const EXPANDABLE = ['roleDefinition', 'principal', 'directoryScope'];

const badFilter = (ctx: GraphContext, message: string): GraphResponse => directoryBadRequest(ctx.req, message);

function filterOf(ctx: GraphContext, spec: FilterSpec): { clauses: Clause[]; error?: GraphResponse } {
  const raw = ctx.req.query.get('$filter');
  if (raw == null) return { clauses: [] };
  const parsed = parseFilter(raw, spec);
  return parsed.error ? { clauses: [], error: badFilter(ctx, parsed.error) } : { clauses: parsed.clauses ?? [] };
}

function expandOf(ctx: GraphContext, type: string): { expand?: string; error?: GraphResponse } {
  const raw = ctx.req.query.get('$expand');
  if (raw == null) return {};
  if (!EXPANDABLE.includes(raw)) {
    return { error: badFilter(ctx, `Could not find a property named '${raw}' on type 'microsoft.graph.${type}'.`) };
  }
  return { expand: raw };
}

function withExpansion(ctx: GraphContext, row: RoleAssignment | EligibilityInstance, expand?: string) {
  const base: Record<string, unknown> = { ...row };
  if (expand === 'roleDefinition') base.roleDefinition = ctx.state.roleDefinition(row.roleDefinitionId);
  if (expand === 'principal') base.principal = directoryObjectFor(ctx, row.principalId);
  if (expand === 'directoryScope') {
    base.directoryScope =
      row.directoryScopeId === '/' ? null : directoryObjectFor(ctx, row.directoryScopeId.split('/').pop() ?? '');
  }
  return base;
}

/** Candidates narrowed by the principalId clause when there is one (an index lookup), then fully filtered. */
function rows<T extends { principalId: string }>(
  clauses: Clause[],
  byPrincipal: { get(id: string): readonly T[]; all(): T[] },
): T[] {
  const ids = valuesOf(clauses, 'principalId');
  const candidates = ids
    ? ids.flatMap((id) => (typeof id === 'string' ? byPrincipal.get(id.toLowerCase()) : []))
    : byPrincipal.all();
  return candidates.filter((r) => matches(clauses, r as unknown as Record<string, unknown>));
}

function list(ctx: GraphContext, collection: 'roleAssignments' | 'roleEligibilityScheduleInstances'): GraphResponse {
  const isAssignments = collection === 'roleAssignments';
  const denied = requireAny(ctx, isAssignments ? GRANTS.roleAssignments : GRANTS.roleEligibility, 'directory');
  if (denied) return denied;
  const bad = checkOptions(ctx, RBAC_LIST);
  if (bad) return bad;
  const filter = filterOf(ctx, isAssignments ? ASSIGNMENT_FILTER : ELIGIBILITY_FILTER);
  if (filter.error) return filter.error;
  const type = isAssignments ? 'unifiedRoleAssignment' : 'unifiedRoleEligibilityScheduleInstance';
  const expansion = expandOf(ctx, type);
  if (expansion.error) return expansion.error;
  const index = isAssignments ? ctx.state.privilege.assignments : ctx.state.privilege.eligibilities;
  const fields = selected(ctx);
  const items = rows<RoleAssignment | EligibilityInstance>(filter.clauses, index).map((r) => {
    // v1.0 and beta examples show resourceScope beside directoryScopeId on assignments.
    const shaped = isAssignments
      ? { ...withExpansion(ctx, r, expansion.expand), resourceScope: r.directoryScopeId }
      : withExpansion(ctx, r, expansion.expand);
    return project(shaped, fields && expansion.expand ? [...fields, expansion.expand] : fields);
  });
  const page = pageOf(ctx, items, RBAC_LIST, `roleManagement/directory/${collection}`);
  return page.error ?? json(200, page.body);
}

function definitions(ctx: GraphContext, id: string | undefined): GraphResponse {
  const denied = requireAny(ctx, GRANTS.roleDefinitions, 'directory');
  if (denied) return denied;
  const spec: ListSpec = { options: id ? ['$select'] : ['$filter', '$select'], defaultPageSize: 100 };
  const bad = checkOptions(ctx, spec);
  if (bad) return bad;
  const all = [
    ...new Map(
      [...ctx.state.builtInRoleIds(), ...ctx.state.customRoles.keys()].map((k) => [k, ctx.state.roleDefinition(k)]),
    ).values(),
  ];
  if (id !== undefined) {
    const found = all.find((d) => d.id === id.toLowerCase());
    if (!found)
      return graphError(
        ctx.req,
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    return json(200, {
      '@odata.context': `${ctx.baseUrl}/${ctx.req.version}/$metadata#roleManagement/directory/roleDefinitions/$entity`,
      ...project({ ...found }, selected(ctx)),
    });
  }
  const filter = filterOf(ctx, DEFINITION_FILTER);
  if (filter.error) return filter.error;
  const fields = selected(ctx);
  const items = all.filter((d) => matches(filter.clauses, { ...d })).map((d) => project({ ...d }, fields));
  const page = pageOf(ctx, items, spec, 'roleManagement/directory/roleDefinitions');
  return page.error ?? json(200, page.body);
}

/** Beta: direct assignments of the principal and those of the groups it is a member of (group ids as principalId). */
function transitive(ctx: GraphContext): GraphResponse {
  if ((ctx.req.headers.consistencylevel ?? '').toLowerCase() !== 'eventual') {
    return graphError(
      ctx.req,
      404,
      'Request_ResourceNotFound',
      "Resource not found for the segment 'transitiveRoleAssignments'.",
    );
  }
  const denied = requireAny(ctx, GRANTS.transitiveRoleAssignments, 'directory');
  if (denied) return denied;
  const bad = checkOptions(ctx, TRANSITIVE_LIST);
  if (bad) return bad;
  const filter = filterOf(ctx, TRANSITIVE_FILTER);
  if (filter.error) return filter.error;
  const principal = valuesOf(filter.clauses, 'principalId')?.[0];
  if (!isAdvanced(ctx) || typeof principal !== 'string') {
    return badFilter(ctx, 'This request requires $count=true and a $filter on principalId.');
  }
  const user = ctx.state.findUser(principal);
  const principals = [principal.toLowerCase(), ...(user ? ctx.state.transitiveGroups(user).map((g) => g.id) : [])];
  const rest = filter.clauses.filter((c) => c.property !== 'principalId');
  const items = principals
    .flatMap((p) => ctx.state.privilege.assignments.get(p))
    .filter((r) => matches(rest, { ...r }))
    .map((r) => project({ ...r }, selected(ctx)));
  const page = pageOf(ctx, items, TRANSITIVE_LIST, 'roleManagement/directory/transitiveRoleAssignments');
  return page.error ?? json(200, page.body);
}

export function roleManagement(
  ctx: GraphContext,
  collection: string | undefined,
  id: string | undefined,
): GraphResponse {
  const { req } = ctx;
  if (req.method !== 'GET') return methodNotAllowed(req, req.method);
  switch (collection) {
    case 'roleAssignments':
    case 'roleEligibilityScheduleInstances':
      return id === undefined ? list(ctx, collection) : segmentNotFound(req, id);
    case 'roleDefinitions':
      return definitions(ctx, id);
    case 'transitiveRoleAssignments':
      return req.version === 'beta' && id === undefined ? transitive(ctx) : segmentNotFound(req, collection);
    default:
      return segmentNotFound(req, collection ?? 'directory');
  }
}
