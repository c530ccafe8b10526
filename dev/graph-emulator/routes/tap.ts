/**
 * The Temporary Access Pass: its policy and its creation.
 * - GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass
 *   (https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get?view=graph-rest-1.0)
 * - POST /users/{user}/authentication/temporaryAccessPassMethods
 *   (https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods?view=graph-rest-1.0):
 *   lifetime 10–43200 minutes and within the policy's bounds, the policy's default when absent; a multi-use pass only
 *   when the policy allows it; one pass per user (a new one replaces the old); the value is in the 201 answer only.
 *   The pages state these rules but not the error bodies: a refusal is Graph's usual 400 BadRequest.
 */
import { randomInt } from 'node:crypto';
import { badRequest, invalidJson, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { newGuid } from '../ids.js';
import { KIND_BY_SEGMENT } from '../state/method-types.js';
import type { MethodKind } from '../state/method-types.js';
import { GRANTS } from '../state/permissions.js';
import { TAP_LIFETIME_BOUNDS } from '../state/tap-policy.js';
import { contextKey, json, lookupUser, odataContext, requireAny } from './common.js';

const TAP_KIND = KIND_BY_SEGMENT.get('temporaryAccessPassMethods') as MethodKind;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+=!#$%@';

/** /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}: only the TAP configuration. */
export function authenticationMethodsPolicy(ctx: GraphContext, a?: string, b?: string, c?: string): GraphResponse {
  if (a !== 'authenticationMethodsPolicy') return segmentNotFound(ctx.req, a ?? 'policies');
  if (b !== 'authenticationMethodConfigurations' || c === undefined) {
    return graphNotServed(ctx);
  }
  if (c.toLowerCase() !== 'temporaryaccesspass') return graphNotServed(ctx);
  if (ctx.req.method !== 'GET') return methodNotAllowed(ctx.req, ctx.req.method);
  const denied = requireAny(ctx, GRANTS.authMethodPolicyRead, 'directory');
  if (denied) return denied;
  const p = ctx.state.tapPolicy;
  return json(200, {
    '@odata.context': odataContext(
      ctx,
      'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity',
    ),
    '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
    id: 'TemporaryAccessPass',
    state: p.state,
    defaultLifetimeInMinutes: p.defaultLifetimeInMinutes,
    defaultLength: p.defaultLength,
    minimumLifetimeInMinutes: p.minimumLifetimeInMinutes,
    maximumLifetimeInMinutes: p.maximumLifetimeInMinutes,
    isUsableOnce: p.isUsableOnce,
    excludeTargets: [],
    includeTargets: p.includeTargets.map((id) => ({ targetType: 'group', id, isRegistrationRequired: false })),
  });
}

function graphNotServed(ctx: GraphContext): GraphResponse {
  return segmentNotFound(ctx.req, ctx.req.segments.slice(1).join('/'));
}

export function createTap(ctx: GraphContext, key: string): GraphResponse {
  const { req } = ctx;
  const denied = requireAny(ctx, GRANTS.methodsWrite(TAP_KIND.granular), 'authMethods');
  if (denied) return denied;
  if (req.bodyInvalid) return invalidJson(req);
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const user = found.user;
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body))
    return badRequest(req, 'The request body must be a JSON object.');
  const policy = ctx.state.tapPolicy;
  if (policy.state !== 'enabled') {
    return badRequest(req, 'The Temporary Access Pass authentication method is disabled by policy.');
  }
  const problems: string[] = [];
  const now = Date.now();
  let start = now;
  let lifetime = policy.defaultLifetimeInMinutes;
  let usableOnce = policy.isUsableOnce;
  for (const [k, v] of Object.entries(body)) {
    if (k === 'startDateTime') {
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isNaN(t)) problems.push('startDateTime must be an ISO 8601 date and time.');
      else start = t;
    } else if (k === 'lifetimeInMinutes') {
      if (typeof v !== 'number' || !Number.isInteger(v)) problems.push('lifetimeInMinutes must be an integer.');
      else if (v < TAP_LIFETIME_BOUNDS.min || v > TAP_LIFETIME_BOUNDS.max) {
        problems.push(`lifetimeInMinutes must be between ${TAP_LIFETIME_BOUNDS.min} and ${TAP_LIFETIME_BOUNDS.max}.`);
      } else if (v < policy.minimumLifetimeInMinutes || v > policy.maximumLifetimeInMinutes) {
        problems.push(
          `lifetimeInMinutes must be between ${policy.minimumLifetimeInMinutes} and ${policy.maximumLifetimeInMinutes} (the Temporary Access Pass policy).`,
        );
      } else lifetime = v;
    } else if (k === 'isUsableOnce') {
      if (typeof v !== 'boolean') problems.push('isUsableOnce must be a boolean.');
      else if (!v && policy.isUsableOnce) {
        problems.push('The Temporary Access Pass policy allows one-time passes only (isUsableOnce).');
      } else usableOnce = v;
    } else if (k !== '@odata.type') {
      problems.push(
        `Property '${k}' does not exist on type 'microsoft.graph.temporaryAccessPassAuthenticationMethod'.`,
      );
    }
  }
  if (problems.length) return badRequest(req, problems.join(' '));
  if (user.userType === 'Guest' && user.userPrincipalName.includes('#EXT#')) {
    return badRequest(req, 'Temporary Access Pass cannot be added to an external guest user.');
  }
  // One TAP per user: a new one replaces the old (not a 409).
  for (const m of [...user.methods.values()]) if (m.kind === TAP_KIND) user.methods.delete(m.data.id);
  let value = policy.fixedValue ?? '';
  if (!policy.fixedValue) for (let i = 0; i < policy.defaultLength; i++) value += ALPHABET[randomInt(ALPHABET.length)];
  const usable = start <= now;
  const record = {
    '@odata.type': TAP_KIND.odataType,
    id: newGuid(),
    temporaryAccessPass: null,
    createdDateTime: new Date(now).toISOString(),
    startDateTime: new Date(start).toISOString(),
    lifetimeInMinutes: lifetime,
    isUsableOnce: usableOnce,
    isUsable: usable,
    methodUsabilityReason: usable ? 'EnabledByPolicy' : 'NotYetValid',
  };
  user.methods.set(record.id, { kind: TAP_KIND, data: record });
  return json(201, {
    '@odata.context': odataContext(
      ctx,
      `users('${contextKey(key)}')/authentication/temporaryAccessPassMethods/$entity`,
    ),
    ...record,
    temporaryAccessPass: value,
  });
}
