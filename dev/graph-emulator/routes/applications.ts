/**
 * App registrations: GET /applications ($filter on appId, uniqueName, displayName: application-list.md),
 * GET|PATCH /applications/{id}, /applications(appId='{appId}') and /applications(uniqueName='{uniqueName}')
 * (application-get.md, application-update.md), and the upsert, PATCH /applications(uniqueName='…') with
 * `Prefer: create-if-missing` (application-upsert.md: 201 with the new object, 204 when it existed, 404 without the
 * header). A registration's service principal mirrors its app roles and scopes, as Entra keeps them in step.
 */
import { directoryBadRequest, graphError, invalidJson, methodNotAllowed, resourceNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { isGuid } from '../../../src/lib/domain/index.js';
import type { AppRegistration } from '../state/applications.js';
import { GRANTS } from '../state/permissions.js';
import { checkOptions, pageOf } from './collection.js';
import type { ListSpec } from './collection.js';
import { json, noContent, odataContext, requireAny } from './common.js';
import type { FilterSpec } from './odata-filter.js';
import { matches, parseFilter } from './odata-filter.js';

const LIST: ListSpec = {
  options: ['$select', '$filter', '$count', '$top', '$search', '$orderby', '$expand'],
  defaultPageSize: 100,
  maxTop: 999,
};

const FILTER: FilterSpec = {
  appId: { ops: ['eq', 'in'] },
  uniqueName: { ops: ['eq', 'in'] },
  displayName: { ops: ['eq', 'in'] },
};

const ALTERNATE_KEY = /^applications\((appId|uniqueName)='((?:[^']|'')*)'\)$/;

type Key = { kind: 'id' | 'appId' | 'uniqueName'; value: string };

/** The object addressed by `root` (`applications` or `applications(alt='…')`) and `id`, or why there is none. */
function addressed(root: string, id: string | undefined): Key | 'collection' | 'bad' {
  if (root === 'applications') return id === undefined || id === '' ? 'collection' : { kind: 'id', value: id };
  const m = ALTERNATE_KEY.exec(root);
  if (!m || id !== undefined) return 'bad';
  return { kind: m[1] as 'appId' | 'uniqueName', value: m[2].replace(/''/g, "'") };
}

/** The application as Graph returns it (no internal fields). */
const view = (ctx: GraphContext, app: AppRegistration): Record<string, unknown> => ({
  '@odata.context': odataContext(ctx, 'applications/$entity'),
  ...structuredClone(app),
});

/** Entra keeps the service principal's copy of the app roles and scopes in step with the registration. */
function syncServicePrincipal(ctx: GraphContext, app: AppRegistration): void {
  const sp = ctx.state.servicePrincipals.byAppId.get(app.appId);
  if (!sp) return;
  sp.displayName = app.displayName;
  sp.appRoles = structuredClone(app.appRoles);
  sp.oauth2PermissionScopes = structuredClone(app.api.oauth2PermissionScopes);
  sp.servicePrincipalNames = [app.appId, ...app.identifierUris];
}

export function applications(ctx: GraphContext, root: string, id?: string, extra?: string): GraphResponse {
  const { req } = ctx;
  const key = addressed(root, id);
  if (key === 'bad' || extra !== undefined) {
    return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${extra ?? root}'.`);
  }
  const write = req.method !== 'GET';
  const denied = requireAny(ctx, write ? GRANTS.applicationsWrite : GRANTS.applicationsRead, 'directory');
  if (denied) return denied;
  const apps = ctx.state.applications;

  if (key === 'collection') {
    // POST /applications is documented but not emulated: setup-entra creates through the upsert.
    if (req.method !== 'GET') return methodNotAllowed(req, req.method);
    const bad = checkOptions(ctx, LIST);
    if (bad) return bad;
    const filter = req.query.get('$filter');
    let list = [...apps.byId.values()];
    if (filter != null) {
      const parsed = parseFilter(filter, FILTER);
      if (parsed.error !== undefined) return graphError(req, 400, 'Request_UnsupportedQuery', parsed.error);
      const clauses = parsed.clauses;
      list = list.filter((a) => matches(clauses, a as unknown as Record<string, unknown>));
    }
    const page = pageOf(ctx, structuredClone(list), LIST, 'applications');
    return page.error ?? json(200, page.body);
  }

  if (key.kind === 'id' && !isGuid(key.value))
    return directoryBadRequest(req, `Invalid object identifier '${key.value}'.`);
  const app =
    key.kind === 'id'
      ? apps.byId.get(key.value.toLowerCase())
      : key.kind === 'appId'
        ? apps.byAppId(key.value)
        : apps.byUniqueName(key.value);

  if (req.method === 'GET') return app ? json(200, view(ctx, app)) : resourceNotFound(req, key.value);
  if (req.method !== 'PATCH') return methodNotAllowed(req, req.method);
  if (req.bodyInvalid) return invalidJson(req);
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return directoryBadRequest(req, 'The request body must be a JSON object.');
  }
  const ownedOnly = !ctx.caller.roles.has('Application.ReadWrite.All');

  if (!app) {
    const upsert = /(^|[\s,;])create-if-missing($|[\s,;])/i.test(req.headers.prefer ?? '');
    if (key.kind !== 'uniqueName' || !upsert) return resourceNotFound(req, key.value);
    const created = apps.create(body as Record<string, unknown>, key.value, ctx.caller.appId);
    if ('ok' in created) return graphError(req, created.status, 'Request_BadRequest', created.message);
    return json(201, view(ctx, created));
  }
  if (ownedOnly && !apps.isOwner(app, ctx.caller.appId)) {
    return graphError(req, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  const result = apps.update(app, body as Record<string, unknown>);
  if (!result.ok) {
    const code = result.status === 501 ? 'NotImplemented' : 'Request_BadRequest';
    return graphError(req, result.status, code, result.message);
  }
  syncServicePrincipal(ctx, app);
  return noContent();
}
