/**
 * GET /identityGovernance/privilegedAccess/group/(eligibilityScheduleInstances|assignmentScheduleInstances).
 * api/privilegedaccessgroup-list-eligibilityscheduleinstances.md: "This method requires the $filter (eq) query parameter
 * to scope the request to a principalId or a groupId"; $select, $filter and $expand are supported. Filterable
 * properties and operators from resources/privilegedaccessgroupeligibilityscheduleinstance.md (and the assignment
 * instance page). Instances are listed for the principal they were granted to: a group's eligibility is not repeated
 * for its members.
 */
import { graphError, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { GRANTS } from '../state/permissions.js';
import type { GroupAccessInstance } from '../state/privilege-index.js';
import { checkOptions, pageOf, project, selected } from './collection.js';
import type { ListSpec } from './collection.js';
import { json, requireAny } from './common.js';
import { directoryObjectFor } from './directory-objects.js';
import type { FilterSpec } from './odata-filter.js';
import { matches, parseFilter, valuesOf } from './odata-filter.js';

const LIST: ListSpec = { options: ['$filter', '$select', '$expand'], defaultPageSize: 100 };

const COMMON: FilterSpec = {
  principalId: { ops: ['eq'] },
  groupId: { ops: ['eq'] },
  accessId: { ops: ['eq'] },
  memberType: { ops: ['eq'] },
  id: { ops: ['eq', 'ne'] },
};
const ELIGIBILITY_FILTER: FilterSpec = { ...COMMON, eligibilityScheduleId: { ops: ['eq', 'ne'] } };
const ASSIGNMENT_FILTER: FilterSpec = {
  ...COMMON,
  assignmentScheduleId: { ops: ['eq', 'ne'] },
  assignmentType: { ops: ['eq'] },
};

/** Our wording: the page documents the requirement, not the error. */
const badRequest = (ctx: GraphContext, message: string): GraphResponse =>
  graphError(ctx.req, 400, 'BadRequest', message);

export function privilegedAccessGroup(
  ctx: GraphContext,
  collection: string | undefined,
  rest: string | undefined,
): GraphResponse {
  const eligibility = collection === 'eligibilityScheduleInstances';
  if ((!eligibility && collection !== 'assignmentScheduleInstances') || rest !== undefined) {
    return segmentNotFound(ctx.req, rest ?? collection ?? 'group');
  }
  if (ctx.req.method !== 'GET') return methodNotAllowed(ctx.req, ctx.req.method);
  const denied = requireAny(ctx, eligibility ? GRANTS.groupEligibility : GRANTS.groupAssignment, 'directory');
  if (denied) return denied;
  const bad = checkOptions(ctx, LIST);
  if (bad) return bad;
  const raw = ctx.req.query.get('$filter');
  const parsed = raw == null ? undefined : parseFilter(raw, eligibility ? ELIGIBILITY_FILTER : ASSIGNMENT_FILTER);
  if (parsed?.error) return badRequest(ctx, parsed.error);
  const clauses = parsed?.clauses ?? [];
  const principal = valuesOf(clauses, 'principalId')?.[0];
  const group = valuesOf(clauses, 'groupId')?.[0];
  if (typeof principal !== 'string' && typeof group !== 'string') {
    return badRequest(ctx, 'The request must be scoped with $filter to a principalId or a groupId (eq).');
  }
  const expand = ctx.req.query.get('$expand');
  if (expand != null && expand !== 'group' && expand !== 'principal') {
    return badRequest(ctx, `Could not find a navigation property named '${expand}'.`);
  }
  const p = ctx.state.privilege;
  const candidates: readonly GroupAccessInstance[] =
    typeof principal === 'string'
      ? (eligibility ? p.groupEligibilityByPrincipal : p.groupAssignmentByPrincipal).get(principal.toLowerCase())
      : (eligibility ? p.groupEligibilityByGroup : p.groupAssignmentByGroup).get(String(group).toLowerCase());
  const fields = selected(ctx);
  const items = candidates
    .filter((i) => matches(clauses, { ...i }))
    .map((i) => {
      const row: Record<string, unknown> = { ...i };
      if (expand === 'group') row.group = directoryObjectFor(ctx, i.groupId);
      if (expand === 'principal') row.principal = directoryObjectFor(ctx, i.principalId);
      return project(row, fields && expand ? [...fields, expand] : fields);
    });
  const page = pageOf(ctx, items, LIST, `identityGovernance/privilegedAccess/group/${collection}`);
  return page.error ?? json(200, page.body);
}
