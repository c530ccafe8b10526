// The HTTP side (INTAKE's handler factories), wired from the shared store, queue and telemetry.
import {
  breakerResetRoute,
  breakerRoute,
  makeBreakerHandler,
  makeBreakerResetHandler,
} from '../functions/control-breaker.js';
import { killSwitchRoute, makeKillSwitchHandler } from '../functions/control-kill-switch.js';
import { approveResetRoute, makeDecideResetHandler, rejectResetRoute } from '../functions/resets-decide.js';
import { cancelResetRoute, makeCancelResetHandler } from '../functions/resets-cancel.js';
import { makeMeHandler, meRoute } from '../functions/me.js';
import { getResetRoute, makeGetResetHandler } from '../functions/resets-status.js';
import { getItemTapRoute, makeGetItemTapHandler } from '../functions/resets-item-tap.js';
import { tapUnwrapperFor } from '../lib/tap/tap-unwrappers.js';
import { makeSubmitResetsHandler, submitResetsRoute } from '../functions/resets-submit.js';
import { createTokenVerifier } from '../lib/auth/index.js';
import { requireAuth, type AppConfig } from '../lib/config/index.js';
import { createSubmissionGuard, createTableWindowCounters, defaultGuardrailLimits } from '../lib/guardrails/index.js';
import type { ResetQueue } from '../lib/queue/index.js';
import {
  cachedBreaker,
  cachedKillSwitch,
  createTableClient,
  DEFAULT_TABLE_NAME,
  type StateStore,
} from '../lib/store/index.js';
import type { Telemetry } from '../lib/telemetry/index.js';
import type { HttpFunctionSpec } from './register-functions.js';
import type { CallbackIntake } from '../functions/resets-submit.js';

export interface IntakeShared {
  readonly store: StateStore;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
  /** How long the operator's controls are cached (default 4 s). */
  readonly controlsCacheMs?: number | undefined;
  /** Completion callbacks: the allow-list a callbackUrl is checked against, and the cipher that stores it. */
  readonly callbacks?: CallbackIntake;
  /** Clock for a Temporary Access Pass's lifetime (tests). */
  readonly now?: (() => Date) | undefined;
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
    ? cachedKillSwitch(async () => (await store.getKillSwitch?.()) ?? { mode: 'off' }, shared.controlsCacheMs)
    : undefined;
  const breaker = store.getBreaker ? cachedBreaker(() => store.getBreaker!(), shared.controlsCacheMs) : undefined;
  const { approvalMinUsers, approvalTtlHours } = config.controls;
  const tapUnwrapper = tapUnwrapperFor(config.tap);
  const deps = {
    verifier,
    store: shared.store,
    queue: shared.queue,
    limits: config.limits,
    guard,
    telemetry: shared.telemetry,
    ...(killSwitch ? { killSwitch } : {}),
    ...(breaker ? { breaker } : {}),
    ...(shared.callbacks ? { callbacks: shared.callbacks } : {}),
    ...(approvalMinUsers > 0 ? { approval: { minUsers: approvalMinUsers, windowHours: approvalTtlHours } } : {}),
    ...(tapUnwrapper ? { tapUnwrapper } : {}),
    ...(shared.now ? { now: shared.now } : {}),
  };
  const route = (
    spec: { readonly name: string; readonly route: string; readonly methods: readonly ('GET' | 'POST' | 'PUT')[] },
    handler: HttpFunctionSpec['handler'],
  ): HttpFunctionSpec => ({ name: spec.name, route: spec.route, methods: [...spec.methods], handler });
  return [
    route(approveResetRoute, makeDecideResetHandler(deps, 'approved')),
    route(rejectResetRoute, makeDecideResetHandler(deps, 'rejected')),
    route(breakerRoute, makeBreakerHandler(deps)),
    route(breakerResetRoute, makeBreakerResetHandler(deps)),
    route(submitResetsRoute, makeSubmitResetsHandler(deps)),
    route(getResetRoute, makeGetResetHandler(deps)),
    route(getItemTapRoute, makeGetItemTapHandler(deps)),
    route(cancelResetRoute, makeCancelResetHandler(deps)),
    route(killSwitchRoute, makeKillSwitchHandler(deps)),
    route(meRoute, makeMeHandler(deps)),
  ];
}
