/**
 * Delegated access (a person signed in to a public client): which permissions a client may get on Graph or on the
 * service's API (consented or pre-authorized), how a `scope` parameter names them, and which of the API's app roles a
 * person holds (directly or through groups). Used by the device code and refresh token grants.
 */
import { API_SCOPE, apiRoles } from '../../../src/lib/domain/index.js';
import type { FixturePublicClient, TenantFixture } from '../types.js';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from '../types.js';
import { GRAPH_PERMISSIONS } from './permissions.js';
import type { TenantState, UserState } from './tenant-state.js';

/** Scopes of OpenID Connect itself: they name no resource. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'offline_access', 'email']);

/**
 * Graph's delegated permissions the emulator knows: the application permissions it models (each also exists as a
 * delegated permission) and the "acting on self" ones a signed-in person may hold.
 */
export const GRAPH_DELEGATED_PERMISSIONS: ReadonlySet<string> = new Set([
  ...Object.keys(GRAPH_PERMISSIONS),
  'User.Read',
  'UserAuthenticationMethod.Read',
  'UserAuthenticationMethod.ReadWrite',
]);

/** The delegated permissions the service's API exposes (oauth2PermissionScopes). */
export const API_DELEGATED_PERMISSIONS: ReadonlySet<string> = new Set([API_SCOPE]);

export interface PublicClientState {
  appId: string;
  displayName: string;
  /** Resource app id → consented or pre-authorized delegated permissions. */
  delegated: Map<string, ReadonlySet<string>>;
}

/** Resource key of a fixture ('https://graph.microsoft.com' or the apiAppId, with or without api://) → app id. */
function resourceOf(audience: string, apiAppId: string): string | undefined {
  const a = audience.toLowerCase().replace(/\/$/, '');
  if (a === GRAPH_AUDIENCE || a === GRAPH_APP_ID) return GRAPH_APP_ID;
  if (a === apiAppId || a === `api://${apiAppId}`) return apiAppId;
  return undefined;
}

const known = (resourceAppId: string): ReadonlySet<string> =>
  resourceAppId === GRAPH_APP_ID ? GRAPH_DELEGATED_PERMISSIONS : API_DELEGATED_PERMISSIONS;

export function indexPublicClients(
  clients: readonly FixturePublicClient[],
  apiAppId: string,
): Map<string, PublicClientState> {
  const out = new Map<string, PublicClientState>();
  for (const c of clients) {
    const delegated = new Map<string, ReadonlySet<string>>();
    for (const [aud, perms] of Object.entries(c.delegatedPermissions ?? {})) {
      const resource = resourceOf(aud, apiAppId);
      if (resource) delegated.set(resource, new Set([...(delegated.get(resource) ?? []), ...perms]));
    }
    out.set(c.appId.toLowerCase(), { appId: c.appId.toLowerCase(), displayName: c.displayName, delegated });
  }
  return out;
}

/** Fixture rules for delegated access: known resources and permissions, app roles the API defines. */
export function delegatedAccessProblems(t: TenantFixture): string[] {
  const problems: string[] = [];
  const api = t.apiAppId.toLowerCase();
  const apiRoleValues = new Set<string>(apiRoles);
  for (const app of t.apps) {
    for (const [aud, roles] of Object.entries(app.roles ?? {})) {
      if (resourceOf(aud, api) === api) roles.forEach((r) => apiRoleValues.add(r));
    }
  }
  const secretApps = new Set(t.apps.map((a) => a.appId.toLowerCase()));
  (t.publicClients ?? []).forEach((c, i) => {
    if (secretApps.has(c.appId.toLowerCase())) problems.push(`publicClients.${i}.appId: also listed in apps`);
    for (const [aud, perms] of Object.entries(c.delegatedPermissions ?? {})) {
      const resource = resourceOf(aud, api);
      if (!resource) {
        problems.push(
          `publicClients.${i}.delegatedPermissions: audience '${aud}' must be ${GRAPH_AUDIENCE} or the apiAppId`,
        );
        continue;
      }
      for (const p of perms) {
        if (!known(resource).has(p))
          problems.push(`publicClients.${i}.delegatedPermissions: unknown delegated permission '${p}' on '${aud}'`);
      }
    }
  });
  const roleProblems = (roles: readonly string[] | undefined, at: string): void => {
    for (const r of roles ?? []) if (!apiRoleValues.has(r)) problems.push(`${at}.appRoles: unknown app role '${r}'`);
  };
  t.users.forEach((u, i) => roleProblems(u.appRoles, `users.${i}`));
  (t.groups ?? []).forEach((g, i) => roleProblems(g.appRoles, `groups.${i}`));
  return problems;
}

/**
 * The API's app roles a person holds: assigned to them or to a group they are in (nested groups count), in the
 * fixture or through Graph (`npm run setup-entra --assign Resets.Submit=user:<id>` writes appRoleAssignedTo).
 */
export function appRolesOf(state: TenantState, user: UserState): string[] {
  const out = new Set(user.appRoles);
  const groups = state.transitiveGroups(user);
  for (const g of groups) g.appRoles.forEach((r) => out.add(r));
  const principals = [user.id, ...groups.map((g) => g.id)];
  state.servicePrincipals.roleValuesAssigned(principals, state.apiAppId).forEach((r) => out.add(r));
  return [...out];
}

export type ScopeRequest =
  | {
      ok: true;
      resourceAppId: string;
      /** Permission values asked for (`.default` stands for everything consented). */
      permissions: string[];
      /** offline_access was asked for: a refresh token comes back. */
      offline: boolean;
      /** openid was asked for: an id token comes back. */
      openid: boolean;
    }
  | { ok: false; error: string; code: number; message: string };

/**
 * A `scope` parameter (space-separated): `{resource}/{permission}` or `{resource}/.default`, a bare permission
 * meaning Graph's, plus OpenID scopes. One resource per request, as Entra ID requires.
 */
export function parseScope(state: TenantState, scope: string): ScopeRequest {
  const parts = scope.split(/\s+/).filter((s) => s !== '');
  const named = parts.filter((s) => !OIDC_SCOPES.has(s));
  const offline = parts.includes('offline_access');
  const openid = parts.includes('openid');
  const resources = new Set<string>();
  const permissions: string[] = [];
  for (const s of named) {
    const slash = s.lastIndexOf('/');
    const resource = slash < 0 ? GRAPH_AUDIENCE : s.slice(0, slash);
    const permission = slash < 0 ? s : s.slice(slash + 1);
    const resourceAppId = state.audienceAppId(resource);
    if (!resourceAppId) {
      return {
        ok: false,
        error: 'invalid_resource',
        code: 500011,
        message: `The resource principal named ${resource} was not found in the tenant named ${state.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      };
    }
    if (permission !== '.default' && !known(resourceAppId).has(permission)) {
      return {
        ok: false,
        error: 'invalid_scope',
        code: 70011,
        message: `The provided value for the input parameter 'scope' is not valid. The scope ${s} is not valid.`,
      };
    }
    resources.add(resourceAppId);
    permissions.push(permission);
  }
  if (resources.size > 1) {
    return {
      ok: false,
      error: 'invalid_scope',
      code: 28000,
      message: `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    };
  }
  // Only OpenID scopes: Entra ID answers with a Graph token (User.Read); the emulator treats it as Graph's .default.
  const resourceAppId = [...resources][0] ?? GRAPH_APP_ID;
  return { ok: true, resourceAppId, permissions: permissions.length ? permissions : ['.default'], offline, openid };
}

export type Grant =
  { ok: true; scp: string[] } | { ok: false; error: string; code: number; message: string; suberror?: string };

/**
 * What the client may get on the resource for a person: every permission consented or pre-authorized for it (the
 * token's `scp` lists them all, as Entra ID does), provided each one asked for is among them. Otherwise AADSTS65001:
 * without a browser nobody can be asked to consent.
 */
export function grantFor(client: PublicClientState, request: Extract<ScopeRequest, { ok: true }>): Grant {
  const consented = client.delegated.get(request.resourceAppId) ?? new Set<string>();
  const missing = request.permissions.filter((p) => p !== '.default' && !consented.has(p));
  if (consented.size === 0 || missing.length) {
    return {
      ok: false,
      error: 'invalid_grant',
      suberror: 'consent_required',
      code: 65001,
      message: `The user or administrator has not consented to use the application with ID '${client.appId}' named '${client.displayName}'. Send an interactive authorization request for this user and resource.`,
    };
  }
  return { ok: true, scp: [...consented] };
}
