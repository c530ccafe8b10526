/** Beta /authentication/signInPreferences GET/PATCH and /authentication/requirements GET/PATCH (research §3.3, §4). */
import { badRequest, invalidJson, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { PHONE_IDS, PREFERRED_METHODS } from '../state/method-types.js';
import { GRANTS } from '../state/permissions.js';
import type { UserState } from '../state/tenant-state.js';
import type { PreferredMethod } from '../types.js';
import { contextKey, json, lookupUser, noContent, odataContext, requireAny } from './common.js';

const has = (u: UserState, name: string): boolean => {
  for (const m of u.methods.values()) if (m.kind.name === name) return true;
  return false;
};

/** Whether the user has a method the preference can designate (inferred mapping, research §3.3). */
export function canPrefer(u: UserState, p: PreferredMethod): boolean {
  switch (p) {
    case 'push':
      return has(u, 'microsoftAuthenticator');
    case 'oath':
      return has(u, 'softwareOath') || has(u, 'hardwareOath');
    case 'sms':
    case 'voiceMobile':
      return u.methods.has(PHONE_IDS.mobile);
    case 'voiceAlternateMobile':
      return u.methods.has(PHONE_IDS.alternateMobile);
    case 'voiceOffice':
      return u.methods.has(PHONE_IDS.office);
  }
}

/** UNCONFIRMED derivation of the read-only systemPreferredAuthenticationMethod (observed PascalCase values). */
function systemPreferred(u: UserState): string | null {
  if (has(u, 'fido2')) return 'Fido2';
  if (has(u, 'microsoftAuthenticator')) return 'Push';
  if (has(u, 'softwareOath') || has(u, 'hardwareOath')) return 'Oath';
  if (u.methods.has(PHONE_IDS.mobile)) return 'Sms';
  if (u.methods.has(PHONE_IDS.alternateMobile) || u.methods.has(PHONE_IDS.office)) return 'Voice';
  return null;
}

export function signInPreferences(ctx: GraphContext, key: string): GraphResponse {
  const { req } = ctx;
  if (req.version !== 'beta') return segmentNotFound(req, 'signInPreferences');
  if (req.method !== 'GET' && req.method !== 'PATCH') return methodNotAllowed(req, req.method);
  const denied = requireAny(
    ctx,
    req.method === 'GET' ? GRANTS.signInPreferencesRead : GRANTS.signInPreferencesWrite,
    'authMethods',
  );
  if (denied) return denied;
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const user = found.user;
  if (req.method === 'GET') {
    return json(200, {
      '@odata.context': odataContext(ctx, `users('${contextKey(key)}')/authentication/signInPreferences`),
      isSystemPreferredAuthenticationMethodEnabled: user.isSystemPreferredAuthenticationMethodEnabled,
      userPreferredMethodForSecondaryAuthentication: user.preferredMethod,
      systemPreferredAuthenticationMethod: user.isSystemPreferredAuthenticationMethodEnabled
        ? systemPreferred(user)
        : null,
    });
  }
  if (req.bodyInvalid) return invalidJson(req);
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return badRequest(req, 'The request body must be a JSON object.');
  }
  const problems: string[] = [];
  let preferred: PreferredMethod | undefined;
  let systemEnabled: boolean | undefined;
  for (const [k, v] of Object.entries(body)) {
    if (k === 'userPreferredMethodForSecondaryAuthentication') {
      if (typeof v !== 'string' || !(PREFERRED_METHODS as readonly string[]).includes(v)) {
        problems.push(
          `Invalid value '${String(v)}' for userPreferredMethodForSecondaryAuthentication; expected one of ${PREFERRED_METHODS.join(', ')}.`,
        );
      } else if (!canPrefer(user, v as PreferredMethod)) {
        problems.push(`The user has no registered method for userPreferredMethodForSecondaryAuthentication '${v}'.`);
      } else preferred = v as PreferredMethod;
    } else if (k === 'isSystemPreferredAuthenticationMethodEnabled') {
      if (typeof v !== 'boolean') problems.push('isSystemPreferredAuthenticationMethodEnabled must be a boolean.');
      else systemEnabled = v;
    } else if (k !== '@odata.type') {
      problems.push(`Property '${k}' does not exist on type 'microsoft.graph.signInPreferences' or cannot be updated.`);
    }
  }
  if (problems.length) return badRequest(req, problems.join(' '));
  if (preferred !== undefined) user.preferredMethod = preferred;
  if (systemEnabled !== undefined) user.isSystemPreferredAuthenticationMethodEnabled = systemEnabled;
  return noContent();
}

const MFA_STATES = ['disabled', 'enabled', 'enforced'] as const;

export function requirements(ctx: GraphContext, key: string): GraphResponse {
  const { req } = ctx;
  if (req.version !== 'beta') return segmentNotFound(req, 'requirements');
  if (req.method !== 'GET' && req.method !== 'PATCH') return methodNotAllowed(req, req.method);
  const denied = requireAny(
    ctx,
    req.method === 'GET' ? GRANTS.requirementsRead : GRANTS.requirementsWrite,
    'authMethods',
  );
  if (denied) return denied;
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  if (req.method === 'GET') {
    return json(200, {
      '@odata.context': odataContext(ctx, `users('${contextKey(key)}')/authentication/requirements`),
      perUserMfaState: found.user.perUserMfaState,
    });
  }
  if (req.bodyInvalid) return invalidJson(req);
  const state = (req.body as { perUserMfaState?: unknown } | undefined)?.perUserMfaState;
  if (typeof state !== 'string' || !(MFA_STATES as readonly string[]).includes(state)) {
    return badRequest(req, `perUserMfaState must be one of ${MFA_STATES.join(', ')}.`);
  }
  found.user.perUserMfaState = state as (typeof MFA_STATES)[number];
  return noContent();
}
