/**
 * App registrations (application objects) created through Graph, with the rules Entra applies when one is written:
 * resources/application.md, approle.md, permissionscope.md, preauthorizedapplication.md, apiapplication.md. Each
 * registration's service principal mirrors its app roles and scopes, as Entra keeps them in step.
 */
import { isGuid } from '../../../src/lib/domain/index.js';
import { newGuid } from '../ids.js';

export interface AppRoleDef {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
  origin: 'Application';
}

export interface ScopeDef {
  id: string;
  value: string;
  type: 'User' | 'Admin';
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string | null;
  userConsentDescription: string | null;
  isEnabled: boolean;
}

export interface PreAuthorized {
  appId: string;
  delegatedPermissionIds: string[];
}

export interface OptionalClaim {
  name: string;
  essential: boolean;
  source: string | null;
  additionalProperties: string[];
}

export interface AppRegistration {
  id: string;
  appId: string;
  uniqueName: string | null;
  displayName: string;
  description: string | null;
  signInAudience: string;
  identifierUris: string[];
  appRoles: AppRoleDef[];
  api: {
    requestedAccessTokenVersion: number | null;
    acceptMappedClaims: boolean | null;
    knownClientApplications: string[];
    oauth2PermissionScopes: ScopeDef[];
    preAuthorizedApplications: PreAuthorized[];
  };
  optionalClaims: { accessToken: OptionalClaim[]; idToken: OptionalClaim[]; saml2Token: OptionalClaim[] } | null;
  tags: string[];
  createdDateTime: string;
}

/** Properties a client may write (PATCH, upsert); the rest of the entity is read-only or not emulated. */
const WRITABLE = new Set([
  'displayName',
  'description',
  'signInAudience',
  'identifierUris',
  'appRoles',
  'api',
  'optionalClaims',
  'tags',
]);
const READ_ONLY = new Set(['id', 'appId', 'uniqueName', 'createdDateTime', 'publisherDomain']);
const AUDIENCES = new Set(['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount']);

export type WriteFailure = { ok: false; status: 400 | 501; message: string };
export type WriteResult = { ok: true } | WriteFailure;

const fail = (message: string, status: 400 | 501 = 400): WriteFailure => ({ ok: false, status, message });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
/** approle.md / permissionscope.md: a value has no spaces and does not start with '.'. */
const badValue = (v: string): boolean => v === '' || /\s/.test(v) || v.startsWith('.');

function parseRoles(raw: unknown): AppRoleDef[] | string {
  if (!Array.isArray(raw)) return 'appRoles must be a collection.';
  const out: AppRoleDef[] = [];
  for (const r of raw) {
    if (!isObject(r)) return 'Each app role must be an object.';
    const { id, value, displayName, description, allowedMemberTypes, isEnabled } = r;
    if (typeof id !== 'string' || !isGuid(id)) return 'An app role id must be a GUID.';
    if (typeof value !== 'string' || badValue(value)) return `App role value '${String(value)}' is not valid.`;
    if (typeof displayName !== 'string' || !displayName) return `App role '${value}' needs a displayName.`;
    if (typeof description !== 'string' || !description) return `App role '${value}' needs a description.`;
    if (typeof isEnabled !== 'boolean') return `App role '${value}' needs isEnabled.`;
    if (
      !isStringArray(allowedMemberTypes) ||
      allowedMemberTypes.length === 0 ||
      allowedMemberTypes.some((t) => t !== 'User' && t !== 'Application')
    ) {
      return `App role '${value}': allowedMemberTypes must hold 'User', 'Application' or both.`;
    }
    out.push({
      id: id.toLowerCase(),
      value,
      displayName,
      description,
      allowedMemberTypes: [...allowedMemberTypes],
      isEnabled,
      origin: 'Application',
    });
  }
  return out;
}

function parseScopes(raw: unknown): ScopeDef[] | string {
  if (!Array.isArray(raw)) return 'oauth2PermissionScopes must be a collection.';
  const out: ScopeDef[] = [];
  for (const s of raw) {
    if (!isObject(s)) return 'Each permission scope must be an object.';
    const { id, value, type, adminConsentDisplayName, adminConsentDescription, isEnabled } = s;
    if (typeof id !== 'string' || !isGuid(id)) return 'A permission scope id must be a GUID.';
    if (typeof value !== 'string' || badValue(value)) return `Permission scope value '${String(value)}' is not valid.`;
    if (type !== 'User' && type !== 'Admin') return `Permission scope '${value}': type must be 'User' or 'Admin'.`;
    if (typeof adminConsentDisplayName !== 'string' || !adminConsentDisplayName)
      return `Permission scope '${value}' needs an adminConsentDisplayName.`;
    if (typeof adminConsentDescription !== 'string' || !adminConsentDescription)
      return `Permission scope '${value}' needs an adminConsentDescription.`;
    if (typeof isEnabled !== 'boolean') return `Permission scope '${value}' needs isEnabled.`;
    const text = (k: string): string | null => (typeof s[k] === 'string' ? s[k] : null);
    out.push({
      id: id.toLowerCase(),
      value,
      type,
      adminConsentDisplayName,
      adminConsentDescription,
      userConsentDisplayName: text('userConsentDisplayName'),
      userConsentDescription: text('userConsentDescription'),
      isEnabled,
    });
  }
  return out;
}

/** Entra refuses to drop an enabled role or scope: it must be disabled in an earlier update (approle.md). */
function droppedEnabled<T extends { id: string; value: string; isEnabled: boolean }>(
  before: readonly T[],
  after: readonly T[],
): T | undefined {
  return before.find((b) => b.isEnabled && !after.some((a) => a.id === b.id));
}

function duplicate(items: readonly { id: string; value: string }[]): string | undefined {
  const ids = new Set<string>();
  const values = new Set<string>();
  for (const i of items) {
    if (ids.has(i.id)) return `id ${i.id}`;
    if (values.has(i.value)) return `value '${i.value}'`;
    ids.add(i.id);
    values.add(i.value);
  }
  return undefined;
}

export class Applications {
  readonly byId = new Map<string, AppRegistration>();
  /** Apps that created a registration own it (Application.ReadWrite.OwnedBy). */
  private readonly owners = new Map<string, Set<string>>();

  constructor(private readonly tenantId: string) {}

  byAppId(appId: string): AppRegistration | undefined {
    const key = appId.toLowerCase();
    for (const app of this.byId.values()) if (app.appId === key) return app;
    return undefined;
  }

  byUniqueName(name: string): AppRegistration | undefined {
    for (const app of this.byId.values()) if (app.uniqueName?.toLowerCase() === name.toLowerCase()) return app;
    return undefined;
  }

  /** The registration whose appId or identifier URI is `audience` (a token's aud or a scope's resource). */
  byAudience(audience: string): AppRegistration | undefined {
    const a = audience.toLowerCase().replace(/\/$/, '');
    for (const app of this.byId.values()) {
      if (app.appId === a || app.identifierUris.some((u) => u.toLowerCase() === a)) return app;
    }
    return undefined;
  }

  isOwner(app: AppRegistration, callerAppId: string): boolean {
    return this.owners.get(app.id)?.has(callerAppId.toLowerCase()) ?? false;
  }

  /** A new registration (upsert's create branch): displayName is required (application-upsert.md). */
  create(body: Record<string, unknown>, uniqueName: string | null, ownerAppId: string): AppRegistration | WriteFailure {
    if (typeof body.displayName !== 'string' || !body.displayName.trim()) {
      return fail('Property displayName is required to create an application.');
    }
    const app: AppRegistration = {
      id: newGuid(),
      appId: newGuid(),
      uniqueName,
      displayName: body.displayName,
      description: null,
      signInAudience: 'AzureADMyOrg',
      identifierUris: [],
      appRoles: [],
      api: {
        requestedAccessTokenVersion: null,
        acceptMappedClaims: null,
        knownClientApplications: [],
        oauth2PermissionScopes: [],
        preAuthorizedApplications: [],
      },
      optionalClaims: null,
      tags: [],
      createdDateTime: new Date().toISOString(),
    };
    const result = this.update(app, body);
    if (!result.ok) return result;
    this.byId.set(app.id, app);
    this.owners.set(app.id, new Set([ownerAppId.toLowerCase()]));
    return app;
  }

  /** Validates the whole body first, then applies it: a refused update changes nothing. */
  update(app: AppRegistration, body: Record<string, unknown>): WriteResult {
    for (const key of Object.keys(body)) {
      if (READ_ONLY.has(key)) return fail(`Property '${key}' is read-only and cannot be set.`);
      if (!WRITABLE.has(key)) return fail(`The Graph emulator does not support writing '${key}'.`, 501);
    }
    const next: AppRegistration = structuredClone(app);
    if ('displayName' in body) {
      if (typeof body.displayName !== 'string' || !body.displayName.trim()) return fail('displayName cannot be empty.');
      next.displayName = body.displayName;
    }
    if ('description' in body) {
      if (body.description !== null && typeof body.description !== 'string') return fail('description is a string.');
      next.description = body.description;
    }
    if ('signInAudience' in body) {
      if (typeof body.signInAudience !== 'string' || !AUDIENCES.has(body.signInAudience))
        return fail(`signInAudience '${String(body.signInAudience)}' is not supported.`);
      next.signInAudience = body.signInAudience;
    }
    if ('tags' in body) {
      if (!isStringArray(body.tags)) return fail('tags must be a collection of strings.');
      next.tags = [...body.tags];
    }
    if ('appRoles' in body) {
      const roles = parseRoles(body.appRoles);
      if (typeof roles === 'string') return fail(roles);
      next.appRoles = roles;
    }
    if ('api' in body) {
      const error = this.applyApi(next, body.api);
      if (error) return fail(error);
    }
    if ('optionalClaims' in body) {
      const error = applyOptionalClaims(next, body.optionalClaims);
      if (error) return fail(error);
    }
    if ('identifierUris' in body) {
      if (!isStringArray(body.identifierUris)) return fail('identifierUris must be a collection of strings.');
      next.identifierUris = [...body.identifierUris];
    }
    const error = this.check(app, next);
    if (error) return fail(error);
    Object.assign(app, next);
    return { ok: true };
  }

  private applyApi(next: AppRegistration, raw: unknown): string | undefined {
    if (!isObject(raw)) return 'api must be an object.';
    for (const key of Object.keys(raw)) {
      if (
        ![
          'requestedAccessTokenVersion',
          'acceptMappedClaims',
          'knownClientApplications',
          'oauth2PermissionScopes',
          'preAuthorizedApplications',
        ].includes(key)
      ) {
        return `Property '${key}' does not exist on type 'microsoft.graph.apiApplication'.`;
      }
    }
    const v = raw.requestedAccessTokenVersion;
    if (v !== undefined) {
      if (v !== null && v !== 1 && v !== 2) return 'requestedAccessTokenVersion must be 1, 2 or null.';
      next.api.requestedAccessTokenVersion = v;
    }
    if (raw.acceptMappedClaims !== undefined) {
      if (raw.acceptMappedClaims !== null && typeof raw.acceptMappedClaims !== 'boolean')
        return 'acceptMappedClaims is a Boolean.';
      next.api.acceptMappedClaims = raw.acceptMappedClaims;
    }
    if (raw.knownClientApplications !== undefined) {
      const known = raw.knownClientApplications;
      if (!isStringArray(known) || !known.every(isGuid)) return 'knownClientApplications must hold GUIDs.';
      next.api.knownClientApplications = known.map((k) => k.toLowerCase());
    }
    if (raw.oauth2PermissionScopes !== undefined) {
      const scopes = parseScopes(raw.oauth2PermissionScopes);
      if (typeof scopes === 'string') return scopes;
      next.api.oauth2PermissionScopes = scopes;
    }
    if (raw.preAuthorizedApplications !== undefined) {
      const list = raw.preAuthorizedApplications;
      if (!Array.isArray(list)) return 'preAuthorizedApplications must be a collection.';
      const out: PreAuthorized[] = [];
      for (const p of list) {
        if (!isObject(p) || typeof p.appId !== 'string' || !isGuid(p.appId))
          return 'A pre-authorized application needs an appId (a GUID).';
        if (!isStringArray(p.delegatedPermissionIds) || !p.delegatedPermissionIds.every(isGuid))
          return 'delegatedPermissionIds must hold GUIDs.';
        out.push({
          appId: p.appId.toLowerCase(),
          delegatedPermissionIds: p.delegatedPermissionIds.map((d) => d.toLowerCase()),
        });
      }
      next.api.preAuthorizedApplications = out;
    }
    return undefined;
  }

  /** Cross-property rules, on the registration as it would be after the write. */
  private check(before: AppRegistration, next: AppRegistration): string | undefined {
    const scopes = next.api.oauth2PermissionScopes;
    const dup = duplicate(next.appRoles) ?? duplicate(scopes);
    if (dup) return `Two app roles or permission scopes share the ${dup}.`;
    const role = droppedEnabled(before.appRoles, next.appRoles);
    if (role) return `App role '${role.value}' must be disabled (isEnabled false) before it can be removed.`;
    const scope = droppedEnabled(before.api.oauth2PermissionScopes, scopes);
    if (scope) return `Permission scope '${scope.value}' must be disabled (isEnabled false) before it can be removed.`;
    for (const p of next.api.preAuthorizedApplications) {
      const unknown = p.delegatedPermissionIds.find((d) => !scopes.some((s) => s.id === d));
      if (unknown)
        return `Pre-authorized application ${p.appId} references scope ${unknown}, which the app does not expose.`;
    }
    for (const uri of next.identifierUris) {
      // The default app management policy: api://{appId} or api://{tenantId}/… (or a verified domain, none here).
      const lower = uri.toLowerCase();
      const allowed =
        lower === `api://${next.appId}` ||
        lower.startsWith(`api://${next.appId}/`) ||
        lower.startsWith(`api://${this.tenantId}/`);
      if (!allowed)
        return `Values of identifierUris property must use a verified domain of the organization or its subdomain: '${uri}'.`;
      const other = [...this.byId.values()].find(
        (a) => a.id !== next.id && a.identifierUris.some((u) => u.toLowerCase() === lower),
      );
      if (other) return `Another object with the same value for property identifierUris already exists: '${uri}'.`;
    }
    return undefined;
  }
}

function applyOptionalClaims(next: AppRegistration, raw: unknown): string | undefined {
  if (raw === null) {
    next.optionalClaims = null;
    return undefined;
  }
  if (!isObject(raw)) return 'optionalClaims must be an object.';
  const out = { accessToken: [] as OptionalClaim[], idToken: [] as OptionalClaim[], saml2Token: [] as OptionalClaim[] };
  for (const [key, list] of Object.entries(raw)) {
    if (key !== 'accessToken' && key !== 'idToken' && key !== 'saml2Token')
      return `Property '${key}' does not exist on type 'microsoft.graph.optionalClaims'.`;
    if (!Array.isArray(list)) return `optionalClaims.${key} must be a collection.`;
    for (const c of list) {
      if (!isObject(c) || typeof c.name !== 'string' || !c.name) return 'An optional claim needs a name.';
      out[key].push({
        name: c.name,
        essential: c.essential === true,
        source: typeof c.source === 'string' ? c.source : null,
        additionalProperties: isStringArray(c.additionalProperties) ? [...c.additionalProperties] : [],
      });
    }
  }
  next.optionalClaims = out;
  return undefined;
}
