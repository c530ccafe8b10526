/**
 * Writing service principals: POST /servicePrincipals (serviceprincipal-post-serviceprincipals.md), PATCH
 * /servicePrincipals/{id} (serviceprincipal-update.md), and the assignments of a resource's app roles,
 * GET|POST /servicePrincipals/{id}/appRoleAssignedTo (serviceprincipal-list-approleassignedto.md,
 * serviceprincipal-post-approleassignedto.md), to users, groups and service principals.
 */
import { directoryBadRequest, graphError, invalidJson, methodNotAllowed, resourceNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { isGuid } from '../../../src/lib/domain/index.js';
import { newGuid } from '../ids.js';
import { GRANTS } from '../state/permissions.js';
import type { AssignedPrincipal, ServicePrincipal } from '../state/service-principals.js';
import { json, noContent, odataContext, requireAny } from './common.js';
import { appRoleAssignmentBody } from './service-principals.js';

/** Requests this module serves; the rest of /servicePrincipals stays with routes/service-principals.ts. */
export function isServicePrincipalAdmin(method: string, id: string | undefined, relation: string | undefined): boolean {
  if (id === undefined || id === '') return method === 'POST';
  if (relation === undefined) return method === 'PATCH';
  return relation === 'appRoleAssignedTo';
}

const WRITABLE_SP = new Set(['appRoleAssignmentRequired', 'tags', 'notes', 'description']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Application.ReadWrite.OwnedBy reaches only the service principals of registrations the caller owns. */
function ownsApp(ctx: GraphContext, appId: string): boolean {
  if (ctx.caller.roles.has('Application.ReadWrite.All') || ctx.caller.roles.has('Directory.ReadWrite.All')) return true;
  const app = ctx.state.applications.byAppId(appId);
  return app !== undefined && ctx.state.applications.isOwner(app, ctx.caller.appId);
}

const forbidden = (ctx: GraphContext): GraphResponse =>
  graphError(ctx.req, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

function checkBody(ctx: GraphContext, body: unknown, allowed: ReadonlySet<string>): GraphResponse | undefined {
  if (ctx.req.bodyInvalid) return invalidJson(ctx.req);
  if (!isObject(body)) return directoryBadRequest(ctx.req, 'The request body must be a JSON object.');
  for (const k of Object.keys(body)) {
    if (!allowed.has(k))
      return graphError(ctx.req, 501, 'NotImplemented', `The Graph emulator does not support writing '${k}'.`);
  }
  if ('appRoleAssignmentRequired' in body && typeof body.appRoleAssignmentRequired !== 'boolean') {
    return directoryBadRequest(ctx.req, 'appRoleAssignmentRequired is a Boolean.');
  }
  return undefined;
}

function create(ctx: GraphContext): GraphResponse {
  const { req } = ctx;
  const body = req.body as Record<string, unknown> | undefined;
  const bad = checkBody(ctx, body, new Set([...WRITABLE_SP, 'appId']));
  if (bad) return bad;
  const appId = body?.appId;
  if (typeof appId !== 'string' || !isGuid(appId)) return directoryBadRequest(req, 'appId is required (a GUID).');
  const app = ctx.state.applications.byAppId(appId);
  if (!app) {
    return directoryBadRequest(
      req,
      `The appId '${appId}' of the service principal does not reference a valid application object.`,
    );
  }
  if (!ownsApp(ctx, app.appId)) return forbidden(ctx);
  const sps = ctx.state.servicePrincipals;
  if (sps.byAppId.has(app.appId)) {
    return graphError(
      req,
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `The service principal cannot be created, updated, or restored because the service principal name ${app.appId} is already in use.`,
    );
  }
  const sp: ServicePrincipal = {
    id: newGuid(),
    appId: app.appId,
    displayName: app.displayName,
    appRoles: structuredClone(app.appRoles),
    appRoleAssignmentRequired: body?.appRoleAssignmentRequired === true,
    oauth2PermissionScopes: structuredClone(app.api.oauth2PermissionScopes),
    servicePrincipalNames: [app.appId, ...app.identifierUris],
  };
  sps.add(sp);
  return json(201, { '@odata.context': odataContext(ctx, 'servicePrincipals/$entity'), ...spView(sp) });
}

const spView = (sp: ServicePrincipal): Record<string, unknown> => ({
  accountEnabled: true,
  servicePrincipalType: 'Application',
  appRoleAssignmentRequired: false,
  tags: [],
  ...structuredClone(sp),
});

function update(ctx: GraphContext, sp: ServicePrincipal): GraphResponse {
  const body = ctx.req.body as Record<string, unknown> | undefined;
  const bad = checkBody(ctx, body, WRITABLE_SP);
  if (bad) return bad;
  if (!ownsApp(ctx, sp.appId)) return forbidden(ctx);
  if (typeof body?.appRoleAssignmentRequired === 'boolean')
    sp.appRoleAssignmentRequired = body.appRoleAssignmentRequired;
  return noContent();
}

/** The principal an assignment names: a user, a group or a service principal of the tenant. */
function principalOf(ctx: GraphContext, id: string): AssignedPrincipal | undefined {
  const user = ctx.state.users.get(id);
  if (user) return { displayName: user.displayName, type: 'User' };
  const group = ctx.state.groups.get(id);
  if (group) return { displayName: group.displayName, type: 'Group' };
  const sp = ctx.state.servicePrincipals.byId.get(id);
  return sp ? { displayName: sp.displayName, type: 'ServicePrincipal' } : undefined;
}

function assignedTo(ctx: GraphContext, resource: ServicePrincipal): GraphResponse {
  const { req } = ctx;
  const path = `servicePrincipals('${resource.id}')/appRoleAssignedTo`;
  if (req.method === 'GET') {
    const denied = requireAny(ctx, GRANTS.appRoleAssignedToRead, 'directory');
    if (denied) return denied;
    return json(200, {
      '@odata.context': odataContext(ctx, path),
      value: ctx.state.servicePrincipals.assignedTo(resource.id),
    });
  }
  if (req.method !== 'POST') return methodNotAllowed(req, req.method);
  const denied =
    requireAny(ctx, GRANTS.appRoleAssignedToWrite, 'directory') ??
    requireAny(ctx, GRANTS.appRoleAssignedToWriteAlso, 'directory');
  if (denied) return denied;
  const parsed = appRoleAssignmentBody(req);
  if ('status' in parsed) return parsed;
  const { principalId, resourceId, appRoleId } = parsed;
  if (resourceId.toLowerCase() !== resource.id) {
    return directoryBadRequest(req, 'resourceId must be the id of the service principal in the request URL.');
  }
  const principal = principalOf(ctx, principalId.toLowerCase());
  if (!principal) return resourceNotFound(req, principalId);
  const role = resource.appRoles.find((r) => r.id === appRoleId.toLowerCase());
  const memberType = principal.type === 'ServicePrincipal' ? 'Application' : 'User';
  if (role && (!role.isEnabled || !role.allowedMemberTypes.includes(memberType))) {
    return directoryBadRequest(req, `The app role cannot be assigned to a principal of type ${principal.type}.`);
  }
  const result = ctx.state.servicePrincipals.assign(
    principalId.toLowerCase(),
    resource.id,
    appRoleId.toLowerCase(),
    undefined,
    undefined,
    principal,
  );
  if (!result.ok) return graphError(req, result.status, result.code, result.message);
  return json(201, { '@odata.context': odataContext(ctx, `${path}/$entity`), ...result.assignment });
}

export function servicePrincipalAdmin(
  ctx: GraphContext,
  id?: string,
  relation?: string,
  extra?: string,
): GraphResponse {
  const { req } = ctx;
  if (id === undefined || id === '') {
    const denied = requireAny(ctx, GRANTS.servicePrincipalsWrite, 'directory');
    return denied ?? create(ctx);
  }
  if (!isGuid(id)) return directoryBadRequest(req, `Invalid object identifier '${id}'.`);
  if (relation === undefined) {
    const denied = requireAny(ctx, GRANTS.servicePrincipalsWrite, 'directory');
    if (denied) return denied;
  }
  const sp = ctx.state.servicePrincipals.byId.get(id.toLowerCase());
  if (!sp) return resourceNotFound(req, id);
  if (relation === undefined) return update(ctx, sp);
  if (extra !== undefined) return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${extra}'.`);
  return assignedTo(ctx, sp);
}
