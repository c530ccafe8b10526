/** POST /users/{user}/authentication/temporaryAccessPassMethods (research §5.2): one TAP per user, value shown once. */
import { randomInt } from 'node:crypto';
import { badRequest, invalidJson } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { newGuid } from '../ids.js';
import { KIND_BY_SEGMENT } from '../state/method-types.js';
import type { MethodKind } from '../state/method-types.js';
import { GRANTS } from '../state/permissions.js';
import { contextKey, json, lookupUser, odataContext, requireAny } from './common.js';

/** The emulator's TemporaryAccessPass policy: portal defaults (1 h default, 1–8 h, 8 characters). */
export const TAP_POLICY = {
  minimumLifetimeInMinutes: 60,
  maximumLifetimeInMinutes: 480,
  defaultLifetimeInMinutes: 60,
  length: 8,
};

const TAP_KIND = KIND_BY_SEGMENT.get('temporaryAccessPassMethods') as MethodKind;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+=!#$%@';

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
  const problems: string[] = [];
  const now = Date.now();
  let start = now;
  let lifetime = TAP_POLICY.defaultLifetimeInMinutes;
  let usableOnce = false;
  for (const [k, v] of Object.entries(body)) {
    if (k === 'startDateTime') {
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isNaN(t)) problems.push('startDateTime must be an ISO 8601 date and time.');
      else start = t;
    } else if (k === 'lifetimeInMinutes') {
      if (typeof v !== 'number' || !Number.isInteger(v)) problems.push('lifetimeInMinutes must be an integer.');
      else if (v < TAP_POLICY.minimumLifetimeInMinutes || v > TAP_POLICY.maximumLifetimeInMinutes) {
        problems.push(
          `lifetimeInMinutes must be between ${TAP_POLICY.minimumLifetimeInMinutes} and ${TAP_POLICY.maximumLifetimeInMinutes} (the Temporary Access Pass policy).`,
        );
      } else lifetime = v;
    } else if (k === 'isUsableOnce') {
      if (typeof v !== 'boolean') problems.push('isUsableOnce must be a boolean.');
      else usableOnce = v;
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
  let value = '';
  for (let i = 0; i < TAP_POLICY.length; i++) value += ALPHABET[randomInt(ALPHABET.length)];
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
