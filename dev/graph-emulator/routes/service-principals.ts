/** servicePrincipals?$filter=appId eq '…' and servicePrincipals/{id}/appRoleAssignments GET/POST/DELETE (contracts §1). */
import { directoryBadRequest, graphError, invalidJson, methodNotAllowed, resourceNotFound } from '../errors.js';
import type { GraphContext, GraphRequest, GraphResponse } from '../graph-types.js';
import { isGuid } from '../../../src/lib/domain/index.js';
import { GRANTS } from '../state/permissions.js';
import { json, noContent, odataContext, requireAny } from './common.js';

export function servicePrincipals(
  ctx: GraphContext,
  id?: string,
  relation?: string,
  assignmentId?: string,
): GraphResponse {
  const { req } = ctx;
  const sps = ctx.state.servicePrincipals;
  const write = req.method !== 'GET';
  const denied = requireAny(ctx, write ? GRANTS.appRoleAssignmentsWrite : GRANTS.servicePrincipalsRead, 'directory');
  if (denied) return denied;

  if (id === undefined) {
    if (req.method !== 'GET') return methodNotAllowed(req, req.method);
    const filter = req.query.get('$filter');
    let list = [...sps.byId.values()];
    if (filter != null) {
      const m = /^\s*appId\s+eq\s+'([^']*)'\s*$/i.exec(filter);
      if (!m)
        return directoryBadRequest(req, `Invalid filter clause: '${filter}' is not supported; use appId eq '{appId}'.`);
      const sp = sps.byAppId.get(m[1].toLowerCase());
      list = sp ? [sp] : [];
    }
    return json(200, { '@odata.context': odataContext(ctx, 'servicePrincipals'), value: list });
  }
  if (!isGuid(id)) return directoryBadRequest(req, `Invalid object identifier '${id}'.`);
  const sp = sps.byId.get(id.toLowerCase());
  if (!sp) return resourceNotFound(req, id);
  if (relation === undefined) {
    if (req.method !== 'GET') return methodNotAllowed(req, req.method);
    return json(200, { '@odata.context': odataContext(ctx, 'servicePrincipals/$entity'), ...sp });
  }
  if (relation !== 'appRoleAssignments')
    return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${relation}'.`);
  const ctxPath = `servicePrincipals('${sp.id}')/appRoleAssignments`;
  if (assignmentId !== undefined) {
    if (req.method !== 'DELETE') return methodNotAllowed(req, req.method);
    return sps.unassign(sp.id, assignmentId) ? noContent() : resourceNotFound(req, assignmentId);
  }
  if (req.method === 'GET')
    return json(200, { '@odata.context': odataContext(ctx, ctxPath), value: sps.assignmentsOf(sp.id) });
  if (req.method !== 'POST') return methodNotAllowed(req, req.method);
  const parsed = appRoleAssignmentBody(req);
  if ('status' in parsed) return parsed;
  const { principalId, resourceId, appRoleId } = parsed;
  if (principalId.toLowerCase() !== sp.id) {
    return directoryBadRequest(req, 'principalId must be the id of the service principal in the request URL.');
  }
  const result = sps.assign(sp.id, resourceId.toLowerCase(), appRoleId.toLowerCase());
  if (!result.ok) return graphError(req, result.status, result.code, result.message);
  return json(201, { '@odata.context': odataContext(ctx, `${ctxPath}/$entity`), ...result.assignment });
}

/** The body of an appRoleAssignment create (principalId, resourceId, appRoleId: GUIDs), or Graph's 400. */
export function appRoleAssignmentBody(
  req: GraphRequest,
): { principalId: string; resourceId: string; appRoleId: string } | GraphResponse {
  if (req.bodyInvalid) return invalidJson(req);
  const body = req.body as Record<string, unknown> | undefined;
  const problems: string[] = [];
  for (const k of ['principalId', 'resourceId', 'appRoleId']) {
    const v = body?.[k];
    if (typeof v !== 'string' || !isGuid(v)) problems.push(`${k} must be a GUID.`);
  }
  if (problems.length) return directoryBadRequest(req, problems.join(' '));
  return body as { principalId: string; resourceId: string; appRoleId: string };
}
