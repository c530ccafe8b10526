/**
 * GET /users/{id}/(transitiveMemberOf|memberOf)[/microsoft.graph.{group|directoryRole|administrativeUnit}] and
 * GET /users/{id}/ownedObjects[/microsoft.graph.{group|application|servicePrincipal}].
 * api/user-list-transitivememberof.md: default page 100, max 999; "ConsistencyLevel: eventual. This header and $count
 * are required when using the $search, $filter, $orderby, or OData cast query parameters" (same on user-list-memberof).
 * api/user-list-ownedobjects.md documents no header; the emulator requires the advanced parameters for $filter only.
 * Directory roles appear for built-in roles held actively at tenant scope, directly (memberOf) or also through groups
 * (transitiveMemberOf); custom, scoped and eligible roles never do (resources/directoryrole.md).
 */
import { directoryBadRequest, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { GRANTS } from '../state/permissions.js';
import type { GroupState } from '../state/tenant-state.js';
import { advancedQueryRequired, checkOptions, isAdvanced, pageOf, project, selected } from './collection.js';
import type { ListSpec } from './collection.js';
import { json, lookupUser, requireAny } from './common.js';
import { GROUP_PROPERTIES, groupObject } from './directory-objects.js';
import type { FilterSpec } from './odata-filter.js';
import { matches, parseFilter } from './odata-filter.js';

const LIST: ListSpec = {
  options: ['$select', '$filter', '$count', '$top', '$search', '$orderby'],
  defaultPageSize: 100,
  maxTop: 999,
};

const ROLE_PROPERTIES = ['id', 'deletedDateTime', 'description', 'displayName', 'roleTemplateId'];

/** Group properties with their documented operators (resources/group.md). */
const GROUP_FILTER: FilterSpec = {
  id: { ops: ['eq', 'ne', 'in'] },
  displayName: { ops: ['eq', 'ne', 'in'] },
  isAssignableToRole: { ops: ['eq', 'ne'], boolean: true },
  securityEnabled: { ops: ['eq', 'ne', 'in'], boolean: true },
  mailEnabled: { ops: ['eq', 'ne'], boolean: true },
};

const MEMBER_CASTS: Record<string, string> = {
  'microsoft.graph.group': '#microsoft.graph.group',
  'microsoft.graph.directoryRole': '#microsoft.graph.directoryRole',
  'microsoft.graph.administrativeUnit': '#microsoft.graph.administrativeUnit',
};
const OWNED_CASTS: Record<string, string> = {
  'microsoft.graph.group': '#microsoft.graph.group',
  'microsoft.graph.application': '#microsoft.graph.application',
  'microsoft.graph.servicePrincipal': '#microsoft.graph.servicePrincipal',
};

function checkSelect(
  ctx: GraphContext,
  fields: string[] | undefined,
  cast: string | undefined,
): GraphResponse | undefined {
  if (!fields) return undefined;
  const known = new Set<string>(
    cast === '#microsoft.graph.group'
      ? GROUP_PROPERTIES
      : cast === '#microsoft.graph.directoryRole'
        ? ROLE_PROPERTIES
        : [...GROUP_PROPERTIES, ...ROLE_PROPERTIES],
  );
  const type = cast ? cast.slice(1) : 'microsoft.graph.directoryObject';
  for (const f of fields) {
    if (!known.has(f)) return directoryBadRequest(ctx.req, `Could not find a property named '${f}' on type '${type}'.`);
  }
  return undefined;
}

function respond(
  ctx: GraphContext,
  items: Record<string, unknown>[],
  cast: string | undefined,
  castSegment: string | undefined,
): GraphResponse {
  const raw = ctx.req.query.get('$filter');
  let kept = items;
  if (raw != null) {
    const parsed = parseFilter(raw, GROUP_FILTER);
    if (parsed.error) return directoryBadRequest(ctx.req, parsed.error);
    kept = items.filter((i) => matches(parsed.clauses ?? [], i));
  }
  const fields = selected(ctx);
  const bad = checkSelect(ctx, fields, cast);
  if (bad) return bad;
  const context = castSegment
    ? `${castSegment.replace('microsoft.graph.', '')}s${fields ? `(${fields.join(',')})` : ''}`
    : 'directoryObjects';
  const page = pageOf(
    ctx,
    kept.map((i) => project(i, fields)),
    LIST,
    context,
  );
  return page.error ?? json(200, page.body);
}

export function memberOf(ctx: GraphContext, key: string, transitive: boolean, castSegment?: string): GraphResponse {
  if (ctx.req.method !== 'GET') return methodNotAllowed(ctx.req, ctx.req.method);
  const cast = castSegment === undefined ? undefined : MEMBER_CASTS[castSegment];
  if (castSegment !== undefined && !cast) return segmentNotFound(ctx.req, castSegment);
  const denied = requireAny(ctx, GRANTS.memberOf, 'directory');
  if (denied) return denied;
  const bad = checkOptions(ctx, LIST);
  if (bad) return bad;
  if (cast && !isAdvanced(ctx)) return advancedQueryRequired(ctx, 'OData cast');
  if (ctx.req.query.has('$filter') && !isAdvanced(ctx)) return advancedQueryRequired(ctx, '$filter');
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const user = found.user;
  const groups: GroupState[] = transitive
    ? ctx.state.transitiveGroups(user)
    : ctx.state.directGroupIds(user).flatMap((id) => ctx.state.groups.get(id) ?? []);
  const roles = ctx.state.directoryRoleTemplates(user, transitive ? groups : []);
  const items: Record<string, unknown>[] = [];
  if (!cast || cast === '#microsoft.graph.group') items.push(...groups.map((g) => groupObject(ctx, g)));
  if (!cast || cast === '#microsoft.graph.directoryRole')
    items.push(...roles.map((r) => ctx.state.directoryRoleObject(r)));
  return respond(ctx, items, cast, castSegment);
}

export function ownedObjects(ctx: GraphContext, key: string, castSegment?: string): GraphResponse {
  if (ctx.req.method !== 'GET') return methodNotAllowed(ctx.req, ctx.req.method);
  const cast = castSegment === undefined ? undefined : OWNED_CASTS[castSegment];
  if (castSegment !== undefined && !cast) return segmentNotFound(ctx.req, castSegment);
  const denied = requireAny(ctx, GRANTS.ownedObjects, 'directory');
  if (denied) return denied;
  const bad = checkOptions(ctx, LIST);
  if (bad) return bad;
  if (ctx.req.query.has('$filter') && !isAdvanced(ctx)) return advancedQueryRequired(ctx, '$filter');
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const owned = ctx.state.ownedGroups(found.user);
  const items = !cast || cast === '#microsoft.graph.group' ? owned.map((g) => groupObject(ctx, g)) : [];
  return respond(ctx, items, cast, castSegment);
}
