// GET /api/control/breaker and POST /api/control/breaker/reset (Resets.Operate): the tenant-wide circuit breaker.
// It opens by itself when every caller together goes over the tenant limit, and closes only here: an operator checks
// for a leaked secret first (docs/operations.md, incident runbook). `control`, not `admin`: see control-kill-switch.ts.

import { z } from 'zod';
import { requireRole } from '../lib/auth/index.js';
import { Roles, type BreakerState } from '../lib/domain/index.js';
import { parseJsonBody, requiredText } from '../lib/http/json-body.js';
import { json } from '../lib/http/respond.js';
import { telemetryEvents, type Telemetry } from '../lib/telemetry/telemetry.js';
import type { HttpHandler } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export const breakerRoute = {
  name: 'control-breaker',
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'control/breaker',
} as const;

export const breakerResetRoute = {
  name: 'control-breaker-reset',
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'control/breaker/reset',
} as const;

const bodySchema = z.strictObject({
  reason: requiredText('why it is safe to resume (the incident, what was checked)'),
});

export const breakerView = (state: BreakerState) => ({
  state: state.open ? 'open' : 'closed',
  ...(state.trippedAt ? { trippedAt: state.trippedAt } : {}),
  ...(state.kind ? { kind: state.kind } : {}),
  ...(state.limit !== undefined ? { limit: state.limit } : {}),
  ...(state.resetAt ? { resetAt: state.resetAt } : {}),
  ...(state.resetBy ? { resetBy: state.resetBy } : {}),
  ...(state.resetReason ? { resetReason: state.resetReason } : {}),
});

function storeOf(deps: ResetsHttpDeps) {
  const store = deps.store;
  if (!store.getBreaker || !store.resetBreaker) throw new Error('the state store has no circuit breaker');
  return {
    getBreaker: () => store.getBreaker!(),
    resetBreaker: (by: string, reason: string) => store.resetBreaker!(by, reason),
  };
}

export function makeBreakerHandler(deps: ResetsHttpDeps): HttpHandler {
  return withProblems('control-breaker', async (request) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    requireRole(principal, Roles.operate);
    return json(200, breakerView(await storeOf(deps).getBreaker()));
  });
}

export function makeBreakerResetHandler(deps: ResetsHttpDeps & { readonly telemetry?: Telemetry }): HttpHandler {
  return withProblems('control-breaker-reset', async (request, context) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    requireRole(principal, Roles.operate);
    const body = await parseJsonBody(request, bodySchema);
    const state = await storeOf(deps).resetBreaker(principal.caller.appId, body.reason);
    context.warn(`event=circuit_breaker_reset app=${principal.caller.appId}`);
    deps.telemetry?.trackEvent(telemetryEvents.circuitBreakerReset, {
      callerAppId: principal.caller.appId,
      callerObjectId: principal.caller.objectId,
      trippedAt: state.trippedAt,
    });
    return json(200, breakerView(state));
  });
}
