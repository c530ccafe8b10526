// Composition root: builds every dependency from the configuration, once per process.
// Graph clients exist only where the worker runs (MFA_RESET_FUNCTIONS all | worker): the intake holds no Graph rights.
import { ConfigError, type AppConfig } from '../lib/config/index.js';
import { createGraphCredential } from '../lib/graph/index.js';
import type { TapIssuerDeps } from '../lib/worker/issue-tap.js';
import {
  createQueueServiceClient,
  createStorageResetQueue,
  queueConnectionOf,
  type StorageResetQueue,
} from '../lib/queue/index.js';
import type { CallbackPolicy, ResetEngine } from '../lib/domain/index.js';
import { createCallbackUrlCipher } from '../lib/callbacks/url-cipher.js';
import { createHttpsSender } from '../lib/callbacks/https-sender.js';
import { createHmacSealer } from '../lib/seal/hmac-sealer.js';
import { createTableWindowCounters } from '../lib/guardrails/index.js';
import { createWorkerCeiling, WORKER_GUARD_TABLE } from '../lib/worker/worker-ceiling.js';
import { createTableWriteBudget, writeBudgetRowKey } from '../lib/store/write-budget-row.js';
import {
  cachedBreaker,
  cachedKillSwitch,
  createTableClient,
  createTableStore,
  type TableStorage,
  type TableStore,
} from '../lib/store/index.js';
import { createOpenTelemetryTelemetry, telemetryMetrics, type Telemetry } from '../lib/telemetry/index.js';
import { composeEngine } from './compose-engine.js';
import { composeAudit, type AuditRecordOptions, type ComposedAudit } from './compose-audit.js';
import { composeHttpFunctions } from './compose-intake.js';
import type { FunctionDeps } from './register-functions.js';

export interface ComposeOptions {
  /** Default: OpenTelemetry (exports only when src/main.ts set up Azure Monitor; otherwise the API is a no-op). */
  readonly telemetry?: Telemetry;
  /** Queue tuning (tests exercise the fan-out with small batches). */
  readonly queue?: { readonly itemsPerBatch?: number; readonly directLimit?: number };
  /** Worker tuning (tests). */
  readonly worker?: { readonly leaseSeconds?: number; readonly killSwitchDelaySeconds?: number };
  /** Completion callback tuning (tests: short retry delays). */
  readonly callbacks?: { readonly retryDelaySeconds?: (attemptsDone: number) => number };
  /** How long every instance caches the operator's controls (kill switch, breaker); default 4 s (tests: 0). */
  readonly controlsCacheMs?: number;
  /** Clock of the store and the worker's age check (tests move time; default the system clock). */
  readonly now?: () => Date;
  /** Environment the Graph credential inspects (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Audit record tuning (tests roll parts over early). */
  readonly audit?: AuditRecordOptions;
}

export interface ComposedApp extends FunctionDeps {
  readonly config: AppConfig;
  readonly store: TableStore;
  readonly queue: StorageResetQueue;
  readonly telemetry: Telemetry;
  readonly engine: ResetEngine | undefined;
  /** The append-only audit record (worker side only). */
  readonly audit: ComposedAudit | undefined;
}

/** The audit account's table service, where the worker keeps its own counters (MfaAudit__tableServiceUri). */
function workerGuardStorage(config: AppConfig): TableStorage {
  const audit = config.audit?.storage;
  if (audit?.kind === 'connectionString') return audit;
  if (audit?.tableServiceUri) {
    return {
      kind: 'identity',
      tableServiceUri: audit.tableServiceUri,
      ...(audit.clientId ? { clientId: audit.clientId } : {}),
      ...(audit.credential ? { credential: audit.credential } : {}),
    };
  }
  throw new ConfigError([
    {
      key: 'MfaAudit__tableServiceUri',
      message:
        'is required in worker mode while WORKER_MAX_USERS_PER_HOUR is on: the worker keeps its own counters in the ' +
        'audit account, where the intake cannot write',
    },
  ]);
}

function startupWarning(what: string, error: unknown): void {
  const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
  console.warn(JSON.stringify({ event: 'storage_ensure_failed', what, reason }));
}

/** The shared write budget is unreachable: the instance keeps to its own gate. One log line a minute at most. */
function sharedBudgetWarning(): (what: 'read' | 'publish', error: unknown) => void {
  let lastAt = 0;
  return (what, error) => {
    if (Date.now() - lastAt < 60_000) return;
    lastAt = Date.now();
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
    console.warn(JSON.stringify({ event: 'write_budget_unavailable', what, reason, fallback: 'local_gate' }));
  };
}

export async function compose(config: AppConfig, options: ComposeOptions = {}): Promise<ComposedApp> {
  const telemetry = options.telemetry ?? createOpenTelemetryTelemetry();
  // The intake seals the work it stores and the worker checks the seals (src/lib/domain/item-seal.ts).
  const sealer = createHmacSealer(config.sealKeys);
  const intake = config.functions === 'all' || config.functions === 'intake';
  const worker = config.functions === 'all' || config.functions === 'worker';
  // Only the worker holds the audit record: its store ships each committed transition's row (the sink).
  const audit = worker ? composeAudit(config, () => store, options.audit) : undefined;
  const queue = createStorageResetQueue({
    service: createQueueServiceClient(queueConnectionOf(config.storage)),
    ...options.queue,
  });
  const store = createTableStore(config, {
    idempotencyWindowSeconds: config.limits.idempotencyWindowHours * 3600,
    sealer,
    // The transition that ends a request's last item (worker, or the intake cancelling or rejecting) queues its
    // completion callback: the delivery runs on the worker, never inside the transition.
    onRequestFinal: (requestId) => queue.enqueueCallback(requestId, 0, 0),
    ...(options.now ? { now: options.now } : {}),
    ...(audit ? { auditSink: (events) => audit.shipper.ship(events) } : {}),
  });
  const callbackPolicy: CallbackPolicy = {
    allowedHosts: config.callbacks.allowedHosts,
    allowLocalhost: config.callbacks.allowLocalhost,
  };
  const callbackCipher = createCallbackUrlCipher(config.sealKeys);
  // Create the table and queues now so the first request does not pay for it. Best effort: in Azure the infra
  // pre-creates them and a least-privilege identity may not be allowed to (the adapters create on demand anyway).
  await Promise.all([
    store.ensureTable().catch((error: unknown) => startupWarning('table', error)),
    queue.ensureQueues().catch((error: unknown) => startupWarning('queues', error)),
  ]);

  let engine: ResetEngine | undefined;
  let writeQuotaWaitMs: (() => number) | undefined;
  let tap: TapIssuerDeps | undefined;
  if (worker && config.graph) {
    const {
      graph,
      engine: built,
      tapGraph,
    } = composeEngine({
      baseUrl: config.graph.baseUrl,
      credential: createGraphCredential({ clientId: config.graph.clientId, env: options.env }),
      maxConcurrency: config.graph.maxConcurrency,
      maxWaitMs: config.graph.maxWaitSeconds * 1000,
      // Graph's write quota is per application and tenant: instances share its deadline (docs/runtime.md).
      writeBudget: {
        ...(config.graph.writeBudget.shared
          ? {
              shared: createTableWriteBudget(
                createTableClient(workerGuardStorage(config), { tableName: WORKER_GUARD_TABLE }),
                {
                  rowKey: writeBudgetRowKey(
                    new URL(config.graph.baseUrl).host,
                    config.graph.clientId ?? 'system-assigned',
                  ),
                },
              ),
            }
          : {}),
        cacheMs: config.graph.writeBudget.cacheMs,
        pacing: config.graph.writeBudget.pacing ? undefined : false,
        onSharedFailure: sharedBudgetWarning(),
      },
      protectedUsers: config.graph.protectedUsers,
      protectedGroupIds: config.graph.protectedGroupIds,
      // Every in-process retry (throttling, 503/504, dropped connections) is counted, not only the deferrals.
      onRetry: ({ status, method }) =>
        telemetry.trackMetric(telemetryMetrics.graphRetries, 1, { status: String(status ?? 'dropped'), method }),
    });
    writeQuotaWaitMs = () => graph.writeQuotaWaitMs();
    tap = { graph: tapGraph, publicKey: config.tap.publicKey };
    engine = built;
  }

  // The worker's own ceiling, in a table of the audit account: the intake has no role there.
  const ceilingLimit = config.graph?.maxUsersPerHour ?? 0;
  const ceiling =
    worker && ceilingLimit > 0
      ? createWorkerCeiling({
          counters: createTableWindowCounters(
            createTableClient(workerGuardStorage(config), { tableName: WORKER_GUARD_TABLE }),
          ),
          limit: ceilingLimit,
        })
      : undefined;

  return {
    mode: config.functions,
    queueConnection: config.dataConnection,
    config,
    store,
    queue,
    telemetry,
    engine,
    audit,
    ...(intake
      ? {
          http: composeHttpFunctions(config, {
            store,
            queue,
            telemetry,
            controlsCacheMs: options.controlsCacheMs,
            callbacks: { policy: callbackPolicy, cipher: callbackCipher },
            now: options.now,
          }),
          sweeper: { store, queue, telemetry },
        }
      : {}),
    ...(worker
      ? {
          worker: {
            store,
            queue,
            telemetry,
            engine,
            sealer,
            ...(ceiling ? { ceiling } : {}),
            killSwitch: config.killSwitch,
            killSwitchState: cachedKillSwitch(() => store.getKillSwitch(), options.controlsCacheMs),
            breakerState: cachedBreaker(() => store.getBreaker(), options.controlsCacheMs),
            cooldownMs: config.controls.targetCooldownHours * 3600 * 1000,
            maxItemAgeMs: config.maxItemAgeHours * 3600 * 1000,
            ...(options.now ? { now: options.now } : {}),
            // Items wait on the queue, unclaimed and unread, while Graph's write quota is spent.
            ...(writeQuotaWaitMs ? { writeQuotaWaitMs } : {}),
            ...(audit ? { audit: audit.shipper } : {}),
            ...(tap ? { tap } : {}),
            ...options.worker,
          },
          callbacks: {
            store,
            queue,
            telemetry,
            cipher: callbackCipher,
            policy: callbackPolicy,
            signingKey: config.callbacks.signingKey,
            sender: createHttpsSender(),
            ...options.callbacks,
          },
          ...(audit ? { auditReconcile: audit.shipper } : {}),
        }
      : {}),
  };
}
