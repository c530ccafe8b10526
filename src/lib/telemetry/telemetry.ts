// The telemetry port: custom events and metrics the service emits. Handlers and use cases depend on this, never on
// an SDK; src/main.ts plugs in OpenTelemetry (Application Insights) when a connection string is configured.

/** Custom events (Application Insights `customEvents`). Names are stable: alerts and workbooks query them. */
export const telemetryEvents = {
  itemCompleted: 'MfaReset.ItemCompleted',
  itemDeferred: 'MfaReset.ItemDeferred',
  duplicateDeliveryIgnored: 'MfaReset.DuplicateDeliveryIgnored',
  /** A poison message quarantined an item: alert on this. */
  itemPoisoned: 'MfaReset.ItemPoisoned',
  batchPoisoned: 'MfaReset.BatchPoisoned',
  /** A poison function failed on a message (the host retries it, up to the attempt bound): alert on this. */
  poisonHandlerFailed: 'MfaReset.PoisonHandlerFailed',
  /** A poison function gave up on a message and parked it on `reset-dead-letters`: alert on this. */
  messageDeadLettered: 'MfaReset.MessageDeadLettered',
  /** The worker refused an item: not sealed by the intake, or breaking the API's rules (forged work?): alert on this. */
  itemRefused: 'MfaReset.ItemRefused',
  /** A queue message that does not match the contract was dropped. */
  invalidMessage: 'MfaReset.InvalidMessage',
  requestResubmitted: 'MfaReset.RequestResubmitted',
  /** A caller went over its reset quota (first refusal per caller and 60 minutes): alert on this. */
  callerQuotaExceeded: 'MfaReset.CallerQuotaExceeded',
  /** Every caller together went over the tenant-wide limit and the breaker latched (once per trip): alert on this. */
  circuitBreakerOpened: 'MfaReset.CircuitBreakerOpened',
  /**
   * The worker's own ceiling (WORKER_MAX_USERS_PER_HOUR) deferred work: more users were started than the intake's limits
   * allow, or the limits were lifted. Once per 60 minutes: alert on this.
   */
  workerCeilingReached: 'MfaReset.WorkerCeilingReached',
  /** An operator closed the breaker (who: the client app id; the reason is in the state table). */
  circuitBreakerReset: 'MfaReset.CircuitBreakerReset',
  /** An operator changed the kill switch's mode. */
  killSwitchSet: 'MfaReset.KillSwitchSet',
  /** A completion callback was delivered (2xx). */
  callbackDelivered: 'MfaReset.CallbackDelivered',
  /** A completion callback ended `failed` (refused by the receiver, out of attempts, or not allowed): alert on this. */
  callbackFailed: 'MfaReset.CallbackFailed',
} as const;

export type TelemetryEventName = (typeof telemetryEvents)[keyof typeof telemetryEvents];

/** Metrics (Application Insights `customMetrics`), all counters. */
export const telemetryMetrics = {
  /** Items finished, dimension `outcome`. */
  itemsProcessed: 'mfa_reset.items.processed',
  /** Items put back on the queue, dimension `reason` (`throttled`, `write_quota`, `kill_switch`, `breaker_open`, `worker_ceiling`). */
  itemsDeferred: 'mfa_reset.items.deferred',
  /** Graph asked us to wait longer than the in-process budget. */
  graphThrottled: 'mfa_reset.graph.throttled',
  /** Graph calls retried in process, dimensions `status` (`429`, `503`, `504`, `dropped`) and `method`. */
  graphRetries: 'mfa_reset.graph.retries',
  /** Items marked failed by a poison queue. */
  itemsPoisoned: 'mfa_reset.items.poisoned',
  /** Submissions refused by a quota or the circuit breaker, dimensions `scope` (caller|tenant) and `kind`. */
  submissionsRefused: 'mfa_reset.submissions.refused',
  /** Completion callback attempts, dimension `verdict` (`delivered`, `retry`, `stop`). */
  callbackAttempts: 'mfa_reset.callbacks.attempts',
} as const;

export type TelemetryMetricName = (typeof telemetryMetrics)[keyof typeof telemetryMetrics];

/**
 * Each metric's unit (UCUM; a count of things is `{thing}`, as the OpenTelemetry conventions write it) and description,
 * which the exporter sends with it. A metric added above without a row here fails compilation.
 */
export const telemetryMetricInfo: Readonly<
  Record<TelemetryMetricName, { readonly unit: string; readonly description: string }>
> = {
  [telemetryMetrics.itemsProcessed]: { unit: '{item}', description: 'Items finished, by outcome.' },
  [telemetryMetrics.itemsDeferred]: { unit: '{item}', description: 'Items put back on the queue, by reason.' },
  [telemetryMetrics.graphThrottled]: {
    unit: '{call}',
    description: 'Graph calls that asked us to wait longer than the in-process budget.',
  },
  [telemetryMetrics.graphRetries]: { unit: '{retry}', description: 'Graph calls retried in process, by status.' },
  [telemetryMetrics.itemsPoisoned]: { unit: '{item}', description: 'Items marked failed by a poison queue.' },
  [telemetryMetrics.submissionsRefused]: {
    unit: '{submission}',
    description: 'Submissions refused by a quota or the circuit breaker.',
  },
  [telemetryMetrics.callbackAttempts]: { unit: '{attempt}', description: 'Completion callback attempts, by verdict.' },
};

/** Values only: ids, counts, outcome codes. Never tokens, UPNs, phone numbers or e-mail addresses. */
export type TelemetryProperties = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Telemetry {
  trackEvent(name: TelemetryEventName, properties?: TelemetryProperties): void;
  /** Adds `value` to a counter. */
  trackMetric(name: TelemetryMetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

export const noTelemetry: Telemetry = {
  trackEvent: () => undefined,
  trackMetric: () => undefined,
};
