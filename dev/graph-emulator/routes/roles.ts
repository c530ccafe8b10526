/** roleManagement/directory/roleAssignments and roleEligibilityScheduleInstances with $filter=principalId eq '{id}'. */
import { directoryBadRequest, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { GRANTS } from '../state/permissions.js';
import { ROLE_NAMES } from '../state/tenant-state.js';
import { json, odataContext, principalIdFilter, requireAny } from './common.js';

function roleDefinition(templateId: string): Record<string, unknown> {
  return {
    id: templateId,
    templateId,
    displayName: ROLE_NAMES[templateId] ?? `Role ${templateId}`,
    isBuiltIn: true,
    isEnabled: true,
  };
}

export function roleManagement(ctx: GraphContext, collection: string | undefined): GraphResponse {
  const { req } = ctx;
  const isAssignments = collection === 'roleAssignments';
  if (!isAssignments && collection !== 'roleEligibilityScheduleInstances')
    return segmentNotFound(req, collection ?? 'directory');
  if (req.method !== 'GET') return methodNotAllowed(req, req.method);
  const denied = requireAny(ctx, isAssignments ? GRANTS.roleAssignments : GRANTS.roleEligibility, 'directory');
  if (denied) return denied;
  const filter = principalIdFilter(req.query.get('$filter'));
  if (filter.error) return directoryBadRequest(req, filter.error);
  const expand = req.query.get('$expand');
  if (expand != null && expand !== 'roleDefinition') {
    return directoryBadRequest(
      req,
      `Could not find a property named '${expand}' on type 'microsoft.graph.unifiedRoleAssignment'.`,
    );
  }
  const index = isAssignments ? ctx.state.roleAssignmentsByPrincipal : ctx.state.eligibilityByPrincipal;
  const rows: readonly { roleDefinitionId: string }[] =
    filter.id !== undefined ? (index.get(filter.id) ?? []) : [...index.values()].flat();
  const value = rows.map((r) => ({
    ...r,
    ...(isAssignments ? { resourceScope: '/' } : {}),
    ...(expand ? { roleDefinition: roleDefinition(r.roleDefinitionId) } : {}),
  }));
  return json(200, { '@odata.context': odataContext(ctx, `roleManagement/directory/${collection}`), value });
}
