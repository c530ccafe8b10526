// The HTTP side (INTAKE's handler factories), wired from the shared store, queue and telemetry.
import { killSwitchRoute, makeKillSwitchHandler } from '../functions/control-kill-switch.js';
import { cancelResetRoute, makeCancelResetHandler } from '../functions/resets-cancel.js';
import { getResetRoute, makeGetResetHandler } from '../functions/resets-status.js';
import { makeSubmitResetsHandler, submitResetsRoute } from '../functions/resets-submit.js';
import { createTokenVerifier } from '../lib/auth/index.js';
import { requireAuth, type AppConfig } from '../lib/config/index.js';
import { createSubmissionGuard, createTableWindowCounters, defaultGuardrailLimits } from '../lib/guardrails/index.js';
import type { ResetQueue } from '../lib/queue/index.js';
import { cachedKillSwitch, createTableClient, DEFAULT_TABLE_NAME, type StateStore } from '../lib/store/index.js';
import type { Telemetry } from '../lib/telemetry/index.js';
import type { HttpFunctionSpec } from './register-functions.js';

export interface IntakeShared {
  readonly store: StateStore;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
}

export function composeHttpFunctions(config: AppConfig, shared: IntakeShared): HttpFunctionSpec[] {
  const verifier = createTokenVerifier(requireAuth(config));
  // Quota and circuit-breaker counters live in the state table (partition guard), shared by every instance.
  const guard = createSubmissionGuard({
    counters: createTableWindowCounters(createTableClient(config.storage, { tableName: DEFAULT_TABLE_NAME })),
    limits: config.guardrails ?? defaultGuardrailLimits,
    telemetry: shared.telemetry,
  });
  const store = shared.store;
  const killSwitch = store.getKillSwitch
    ? cachedKillSwitch(async () => (await store.getKillSwitch?.()) ?? { mode: 'off' })
    : undefined;
  const deps = {
    verifier,
    store: shared.store,
    queue: shared.queue,
    limits: config.limits,
    guard,
    ...(killSwitch ? { killSwitch } : {}),
  };
  return [
    {
      name: submitResetsRoute.name,
      route: submitResetsRoute.route,
      methods: [...submitResetsRoute.methods],
      handler: makeSubmitResetsHandler(deps),
    },
    {
      name: getResetRoute.name,
      route: getResetRoute.route,
      methods: [...getResetRoute.methods],
      handler: makeGetResetHandler(deps),
    },
    {
      name: cancelResetRoute.name,
      route: cancelResetRoute.route,
      methods: [...cancelResetRoute.methods],
      handler: makeCancelResetHandler(deps),
    },
    {
      name: killSwitchRoute.name,
      route: killSwitchRoute.route,
      methods: [...killSwitchRoute.methods],
      handler: makeKillSwitchHandler(deps),
    },
  ];
}
