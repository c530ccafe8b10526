// GET/PUT /api/control/kill-switch (Resets.Operate): the kill switch every instance reads from the state table.
// The issue named /api/admin/…; the Functions host refuses HTTP routes that begin with `admin`, even under the /api
// prefix (reserved for its own admin API: azure-functions-host issue 1781), hence `control`.

import { z } from 'zod';
import { requireRole } from '../lib/auth/index.js';
import { killSwitchModes, Roles, type KillSwitchState } from '../lib/domain/index.js';
import { parseJsonBody, requiredText } from '../lib/http/json-body.js';
import { json } from '../lib/http/respond.js';
import { telemetryEvents, type Telemetry } from '../lib/telemetry/telemetry.js';
import type { HttpHandler } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export const killSwitchRoute = {
  name: 'control-kill-switch',
  methods: ['GET', 'PUT'],
  authLevel: 'anonymous',
  route: 'control/kill-switch',
} as const;

const bodySchema = z.strictObject({
  mode: z.enum(killSwitchModes, { error: `must be one of ${killSwitchModes.join(', ')}` }),
  reason: requiredText('why (an incident number, a sentence)'),
});

const view = (state: KillSwitchState) => ({
  mode: state.mode,
  ...(state.reason ? { reason: state.reason } : {}),
  ...(state.updatedAt ? { updatedAt: state.updatedAt } : {}),
  ...(state.updatedBy ? { updatedBy: state.updatedBy } : {}),
});

export function makeKillSwitchHandler(deps: ResetsHttpDeps & { readonly telemetry?: Telemetry }): HttpHandler {
  return withProblems('control-kill-switch', async (request, context) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    requireRole(principal, Roles.operate);
    const store = deps.store;
    if (!store.getKillSwitch || !store.setKillSwitch) throw new Error('the state store has no kill switch');
    if (request.method.toUpperCase() === 'GET') return json(200, view(await store.getKillSwitch()));

    const body = await parseJsonBody(request, bodySchema);
    const state = await store.setKillSwitch(body.mode, body.reason, principal.caller.appId);
    context.warn(`event=kill_switch_set mode=${state.mode} app=${principal.caller.appId}`);
    deps.telemetry?.trackEvent(telemetryEvents.killSwitchSet, {
      mode: state.mode,
      callerAppId: principal.caller.appId,
      callerObjectId: principal.caller.objectId,
    });
    return json(200, view(state));
  });
}
