// The service's API app registration as it should be, and what to change in an existing one to get there. Pure: no
// Graph calls. Ids are never regenerated: a role or scope that exists (same value) keeps its id, so callers'
// assignments and consents survive; a missing one gets the fixed id from the domain (API_ROLE_IDS, API_SCOPE_ID).
import { API_ROLE_IDS, API_SCOPE, API_SCOPE_ID, apiRoles, Roles } from '../../src/lib/domain/index.js';
import type { Role } from '../../src/lib/domain/index.js';

export interface ManifestRole {
  readonly id: string;
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: readonly string[];
  readonly isEnabled: boolean;
}

export interface ManifestScope {
  readonly id: string;
  readonly value: string;
  readonly type: string;
  readonly adminConsentDisplayName: string;
  readonly adminConsentDescription: string;
  readonly userConsentDisplayName?: string | null;
  readonly userConsentDescription?: string | null;
  readonly isEnabled: boolean;
}

export interface PreAuthorizedApp {
  readonly appId: string;
  readonly delegatedPermissionIds: readonly string[];
}

export interface OptionalClaimEntry {
  readonly name: string;
  readonly essential?: boolean;
}

/** The application properties this script reads and writes (application resource type, v1.0). */
export interface ApiApplication {
  readonly id: string;
  readonly appId: string;
  readonly displayName?: string;
  readonly identifierUris?: readonly string[];
  readonly appRoles?: readonly ManifestRole[];
  readonly api?: {
    readonly requestedAccessTokenVersion?: number | null;
    readonly oauth2PermissionScopes?: readonly ManifestScope[];
    readonly preAuthorizedApplications?: readonly PreAuthorizedApp[];
    readonly [other: string]: unknown;
  } | null;
  readonly optionalClaims?: {
    readonly accessToken?: readonly OptionalClaimEntry[];
    readonly [other: string]: unknown;
  } | null;
}

const ROLE_TEXT: Readonly<Record<Role, { displayName: string; description: string }>> = {
  [Roles.submit]: { displayName: 'Submit MFA resets', description: 'Submit an MFA reset for one user.' },
  [Roles.submitBulk]: {
    displayName: 'Submit bulk MFA resets',
    description: 'Submit MFA resets for several users or a CSV file.',
  },
  [Roles.read]: { displayName: 'Read MFA reset status', description: 'Read the status of MFA reset requests.' },
  [Roles.operate]: {
    displayName: 'Operate MFA resets',
    description: "Cancel any caller's MFA reset request, set the kill switch and reset the circuit breaker.",
  },
  [Roles.approve]: {
    displayName: 'Approve MFA resets',
    description: 'Approve or reject MFA reset requests others submitted.',
  },
};

/** Every role is assignable to apps (Logic Apps, ServiceNow) and to people and groups (the CLI, Power Automate). */
export const ROLE_MEMBER_TYPES = ['Application', 'User'] as const;

export function desiredRole(value: Role, id: string): ManifestRole {
  return { id, value, ...ROLE_TEXT[value], allowedMemberTypes: [...ROLE_MEMBER_TYPES], isEnabled: true };
}

/**
 * Type 'User': a person may consent for themselves. Harmless here: the scope only lets a client ask for a token, and
 * the API still requires an app role that only an administrator assigns (appRoleAssignmentRequired).
 */
export function desiredScope(id: string): ManifestScope {
  return {
    id,
    value: API_SCOPE,
    type: 'User',
    adminConsentDisplayName: 'Use the MFA reset service',
    adminConsentDescription:
      'Call the MFA reset service as the signed-in person; what they may do is decided by the app roles assigned to them.',
    userConsentDisplayName: 'Use the MFA reset service',
    userConsentDescription:
      'Call the MFA reset service as you; what you may do is decided by the roles an administrator gave you.',
    isEnabled: true,
  };
}

/** A change (or not) to one part of the registration, for the printed plan. */
export interface ManifestItem {
  readonly label: string;
  readonly status: 'unchanged' | 'add' | 'update';
}

export interface ManifestPlan {
  readonly items: readonly ManifestItem[];
  /** PATCH body for everything but pre-authorization; undefined when nothing changes. */
  readonly patch: Record<string, unknown> | undefined;
  /** Second PATCH, once the scope exists: Entra checks pre-authorized scope ids against the saved registration. */
  readonly preAuthorizePatch: Record<string, unknown> | undefined;
  readonly roleIds: Readonly<Record<Role, string>>;
  readonly scopeId: string;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const sortedTypes = (t: readonly string[] | undefined): string[] => [...(t ?? [])].sort();

function roleMatches(current: ManifestRole, want: ManifestRole): boolean {
  return (
    current.displayName === want.displayName &&
    current.description === want.description &&
    current.isEnabled === want.isEnabled &&
    same(sortedTypes(current.allowedMemberTypes), sortedTypes(want.allowedMemberTypes))
  );
}

function scopeMatches(current: ManifestScope, want: ManifestScope): boolean {
  return (
    current.type === want.type &&
    current.isEnabled === want.isEnabled &&
    current.adminConsentDisplayName === want.adminConsentDisplayName &&
    current.adminConsentDescription === want.adminConsentDescription &&
    (current.userConsentDisplayName ?? null) === want.userConsentDisplayName &&
    (current.userConsentDescription ?? null) === want.userConsentDescription
  );
}

/**
 * What to change in `app` (the registration as Graph returned it) so it matches the service's API registration.
 * `clients` maps each pre-authorized client's appId to a name for the plan.
 */
export function planApiApplication(app: ApiApplication, clients: ReadonlyMap<string, string>): ManifestPlan {
  const items: ManifestItem[] = [];
  const patch: Record<string, unknown> = {};

  const currentRoles = app.appRoles ?? [];
  const roleIds = {} as Record<Role, string>;
  const nextRoles: ManifestRole[] = currentRoles.map((r) => ({ ...r }));
  let rolesChanged = false;
  for (const value of apiRoles) {
    const at = nextRoles.findIndex((r) => r.value === value);
    const current = at >= 0 ? nextRoles[at] : undefined;
    const want = desiredRole(value, current?.id ?? API_ROLE_IDS[value]);
    roleIds[value] = want.id;
    const label = `app role ${value} (id ${want.id})`;
    if (!current) {
      nextRoles.push(want);
      items.push({ label, status: 'add' });
      rolesChanged = true;
    } else if (!roleMatches(current, want)) {
      nextRoles[at] = want;
      items.push({ label, status: 'update' });
      rolesChanged = true;
    } else items.push({ label, status: 'unchanged' });
  }
  if (rolesChanged) patch.appRoles = nextRoles;

  const uri = `api://${app.appId}`;
  const uris = app.identifierUris ?? [];
  const hasUri = uris.some((u) => u.toLowerCase() === uri.toLowerCase());
  items.push({ label: `identifier URI ${uri}`, status: hasUri ? 'unchanged' : 'add' });
  if (!hasUri) patch.identifierUris = [...uris, uri];

  const api = app.api ?? {};
  const scopes = (api.oauth2PermissionScopes ?? []).map((s) => ({ ...s }));
  const scopeAt = scopes.findIndex((s) => s.value === API_SCOPE);
  const wantScope = desiredScope(scopeAt >= 0 ? (scopes[scopeAt]?.id ?? API_SCOPE_ID) : API_SCOPE_ID);
  const scopeLabel = `delegated scope ${API_SCOPE} (id ${wantScope.id})`;
  let apiChanged = false;
  if (scopeAt < 0) {
    scopes.push(wantScope);
    items.push({ label: scopeLabel, status: 'add' });
    apiChanged = true;
  } else if (!scopeMatches(scopes[scopeAt], wantScope)) {
    scopes[scopeAt] = wantScope;
    items.push({ label: scopeLabel, status: 'update' });
    apiChanged = true;
  } else items.push({ label: scopeLabel, status: 'unchanged' });

  const v2 = api.requestedAccessTokenVersion === 2;
  items.push({ label: 'v2 access tokens (requestedAccessTokenVersion 2)', status: v2 ? 'unchanged' : 'update' });
  if (!v2) apiChanged = true;

  // The whole `api` object is sent, so properties this script does not manage keep their values.
  const { preAuthorizedApplications: currentPre = [], ...apiRest } = api;
  if (apiChanged) {
    patch.api = {
      ...apiRest,
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: scopes,
      preAuthorizedApplications: currentPre,
    };
  }

  const pre = currentPre.map((p) => ({ appId: p.appId, delegatedPermissionIds: [...p.delegatedPermissionIds] }));
  let preChanged = false;
  for (const [clientId, name] of clients) {
    const label = `pre-authorized client ${name} (${clientId})`;
    const entry = pre.find((p) => p.appId.toLowerCase() === clientId.toLowerCase());
    if (!entry) {
      pre.push({ appId: clientId, delegatedPermissionIds: [wantScope.id] });
      items.push({ label, status: 'add' });
      preChanged = true;
    } else if (!entry.delegatedPermissionIds.some((d) => d.toLowerCase() === wantScope.id.toLowerCase())) {
      entry.delegatedPermissionIds.push(wantScope.id);
      items.push({ label, status: 'update' });
      preChanged = true;
    } else items.push({ label, status: 'unchanged' });
  }
  const preAuthorizePatch = preChanged
    ? {
        api: {
          ...apiRest,
          requestedAccessTokenVersion: 2,
          oauth2PermissionScopes: scopes,
          preAuthorizedApplications: pre,
        },
      }
    : undefined;

  // The idtyp claim lets the API tell an app-only token from a person's (it is not in v2 tokens by default).
  const claims = app.optionalClaims ?? {};
  const accessClaims = claims.accessToken ?? [];
  const hasIdtyp = accessClaims.some((c) => c.name === 'idtyp');
  items.push({ label: 'optional access-token claim idtyp', status: hasIdtyp ? 'unchanged' : 'add' });
  if (!hasIdtyp)
    patch.optionalClaims = { ...claims, accessToken: [...accessClaims, { name: 'idtyp', essential: false }] };

  return {
    items,
    patch: Object.keys(patch).length > 0 ? patch : undefined,
    preAuthorizePatch,
    roleIds,
    scopeId: wantScope.id,
  };
}
