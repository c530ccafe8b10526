/**
 * Groups, as far as a privilege check needs them: GET /groups (e.g. `$filter=isAssignableToRole eq true`),
 * GET /groups/{id}, GET /groups/{id}/transitiveMembers[/microsoft.graph.{user|group}] and
 * GET /groups/{id}/transitiveMemberOf[/microsoft.graph.group]. Pages: api/group-list.md, group-get.md,
 * group-list-transitivemembers.md, group-list-transitivememberof.md (default page 100, max 999; casts, `ne` and `not`
 * need `ConsistencyLevel: eventual` + `$count=true`, aad-advanced-queries.md).
 */
import {
  directoryBadRequest,
  invalidObjectId,
  methodNotAllowed,
  resourceNotFound,
  segmentNotFound,
} from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { isGuid } from '../../../src/lib/domain/index.js';
import { GRANTS } from '../state/permissions.js';
import type { GroupState } from '../state/tenant-state.js';
import { advancedQueryRequired, checkOptions, isAdvanced, pageOf, project, selected } from './collection.js';
import type { ListSpec } from './collection.js';
import { json, requireAny } from './common.js';
import { GROUP_PROPERTIES, groupObject, userObject } from './directory-objects.js';
import type { FilterSpec } from './odata-filter.js';
import { matches, parseFilter } from './odata-filter.js';

const LIST: ListSpec = {
  options: ['$select', '$filter', '$count', '$top', '$search', '$orderby', '$expand'],
  defaultPageSize: 100,
  maxTop: 999,
};

const FILTER: FilterSpec = {
  id: { ops: ['eq', 'ne', 'in'] },
  displayName: { ops: ['eq', 'ne', 'in'] },
  isAssignableToRole: { ops: ['eq', 'ne'], boolean: true },
  securityEnabled: { ops: ['eq', 'ne', 'in'], boolean: true },
};

const CASTS: Record<string, string> = {
  'microsoft.graph.group': '#microsoft.graph.group',
  'microsoft.graph.user': '#microsoft.graph.user',
};

function filtered(
  ctx: GraphContext,
  items: Record<string, unknown>[],
): { items?: Record<string, unknown>[]; error?: GraphResponse } {
  const raw = ctx.req.query.get('$filter');
  if (raw == null) return { items };
  const parsed = parseFilter(raw, FILTER);
  if (parsed.error) return { error: directoryBadRequest(ctx.req, parsed.error) };
  // `ne` on directory objects is an advanced query (aad-advanced-queries.md).
  if (parsed.clauses?.some((c) => c.op === 'ne') && !isAdvanced(ctx))
    return { error: advancedQueryRequired(ctx, "Operator 'ne'") };
  return { items: items.filter((i) => matches(parsed.clauses ?? [], i)) };
}

function checkGroupSelect(ctx: GraphContext): GraphResponse | undefined {
  for (const f of selected(ctx) ?? []) {
    if (!(GROUP_PROPERTIES as readonly string[]).includes(f)) {
      return directoryBadRequest(ctx.req, `Could not find a property named '${f}' on type 'microsoft.graph.group'.`);
    }
  }
  return undefined;
}

function list(ctx: GraphContext, items: Record<string, unknown>[], context: string): GraphResponse {
  const bad = checkOptions(ctx, LIST) ?? checkGroupSelect(ctx);
  if (bad) return bad;
  if (ctx.req.query.has('$expand'))
    return directoryBadRequest(ctx.req, '$expand is not supported by the Graph emulator here.');
  const f = filtered(ctx, items);
  if (f.error) return f.error;
  const fields = selected(ctx);
  const page = pageOf(
    ctx,
    (f.items ?? []).map((i) => project(i, fields)),
    LIST,
    context,
  );
  return page.error ?? json(200, page.body);
}

/** Direct and nested members of a group (users and groups), each once. */
function transitiveMembers(ctx: GraphContext, root: GroupState): Record<string, unknown>[] {
  const seen = new Set<string>([root.id]);
  const out: Record<string, unknown>[] = [];
  const queue = [root.id];
  const users = new Set<string>();
  while (queue.length) {
    const { users: us, groups } = ctx.state.groupMembers(queue.shift() as string);
    for (const u of us) {
      if (users.has(u.id)) continue;
      users.add(u.id);
      out.push(userObject(u));
    }
    for (const g of groups) {
      if (seen.has(g.id)) continue;
      seen.add(g.id);
      out.push(groupObject(ctx, g));
      queue.push(g.id);
    }
  }
  return out;
}

export function groups(
  ctx: GraphContext,
  key: string | undefined,
  relation: string | undefined,
  castSegment: string | undefined,
): GraphResponse {
  if (ctx.req.method !== 'GET') return methodNotAllowed(ctx.req, ctx.req.method);
  if (key === undefined) {
    const denied = requireAny(ctx, GRANTS.groupRead, 'directory');
    if (denied) return denied;
    return list(
      ctx,
      [...ctx.state.groups.values()].map((g) => groupObject(ctx, g)),
      'groups',
    );
  }
  if (!isGuid(key)) return invalidObjectId(ctx.req, key);
  const group = ctx.state.groups.get(key.toLowerCase());
  if (relation === undefined) {
    const denied = requireAny(ctx, GRANTS.groupRead, 'directory');
    if (denied) return denied;
    const bad = checkOptions(ctx, { options: ['$select', '$expand'], defaultPageSize: 1 }) ?? checkGroupSelect(ctx);
    if (bad) return bad;
    if (!group) return resourceNotFound(ctx.req, key);
    const fields = selected(ctx);
    return json(200, {
      '@odata.context': `${ctx.baseUrl}/${ctx.req.version}/$metadata#groups${fields ? `(${fields.join(',')})` : ''}/$entity`,
      ...project(groupObject(ctx, group), fields),
    });
  }
  const cast = castSegment === undefined ? undefined : CASTS[castSegment];
  if (castSegment !== undefined && !cast) return segmentNotFound(ctx.req, castSegment);
  if (relation !== 'transitiveMembers' && relation !== 'transitiveMemberOf') return segmentNotFound(ctx.req, relation);
  if (relation === 'transitiveMemberOf' && cast === '#microsoft.graph.user')
    return segmentNotFound(ctx.req, castSegment ?? '');
  const denied = requireAny(
    ctx,
    relation === 'transitiveMembers' ? GRANTS.groupTransitiveMembers : GRANTS.groupTransitiveMemberOf,
    'directory',
  );
  if (denied) return denied;
  if (cast && !isAdvanced(ctx)) return advancedQueryRequired(ctx, 'OData cast');
  if (!group) return resourceNotFound(ctx.req, key);
  const items =
    relation === 'transitiveMembers'
      ? transitiveMembers(ctx, group)
      : ctx.state.closure(group.groups).map((g) => groupObject(ctx, g));
  const kept = cast ? items.filter((i) => i['@odata.type'] === cast) : items;
  return list(ctx, kept, cast ? `${castSegment?.replace('microsoft.graph.', '')}s` : 'directoryObjects');
}
