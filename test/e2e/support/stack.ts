// The whole service for end-to-end tests: Azurite, the Graph emulator (demo tenant), the composed app and the dev
// harness on a random port. Each test file starts one stack and stops it.
import { randomUUID } from 'node:crypto';
import { approvalAndCooldownOff } from '../../../dev/harness/suite-settings.js';
import type { TenantFixture } from '../../../dev/graph-emulator/index.js';
import {
  DEMO_APPS,
  DEMO_BREAK_GLASS_UPN,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_TENANT_ID,
} from '../../../dev/graph-emulator/index.js';
import { startAppHarness } from '../../../dev/harness/app-harness.js';
import type { RunningHarness } from '../../../dev/harness/harness.js';
import { jsonLineLog } from '../../../dev/harness/log.js';
import type { QueueHostSettings } from '../../../dev/harness/host-settings.js';
import type { ComposedApp, ComposeOptions } from '../../../src/app/compose.js';
import { defaultResetOptions, type ResetOptions, type ResetReason } from '../../../src/lib/domain/index.js';
import type { StateStore, StoredItem, StoredRequest } from '../../../src/lib/store/index.js';
import { RecordingTelemetry } from '../../../src/lib/telemetry/index.js';
import { systemReport } from '../../reliability/support/system-report.js';
import { reportOnTimeout, timeoutReport } from '../../reliability/support/wait-for.js';
import { startTestAzurite, type RunningAzurite } from '../../support/azurite.js';
import { graphEnvFor, startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { newSealKey } from '../../../dev/stack/seal-key.js';
import { newTapKeySettings } from '../../../dev/stack/tap-key.js';

export interface StackOptions {
  readonly mode?: 'all' | 'intake' | 'worker';
  readonly fixture?: TenantFixture;
  readonly env?: Readonly<Record<string, string>>;
  readonly queueSettings?: Partial<QueueHostSettings>;
  readonly compose?: ComposeOptions;
  /** Fault injection: wraps the store the queue functions use (the HTTP side keeps the real one). */
  readonly workerStore?: (store: StateStore) => StateStore;
}

export interface TestStack {
  readonly azurite: RunningAzurite;
  readonly emulator: TestEmulator;
  readonly app: ComposedApp;
  readonly harness: RunningHarness;
  readonly telemetry: RecordingTelemetry;
  readonly url: string;
  readonly settings: Readonly<Record<string, string>>;
  /** The host's last log lines (up to 200), oldest first. */
  logLines(): readonly string[];
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const azurite = await startTestAzurite({ blob: true });
  const emulator = await startTestEmulator(options.fixture);
  graphEnvFor(emulator);
  const e = emulator.env;
  const settings: Record<string, string> = {
    MFA_RESET_FUNCTIONS: options.mode ?? 'all',
    // The reset data on its own connection, as in Azure: the queue triggers bind to MfaData (the host storage of a
    // real Functions host is not used by this harness).
    MfaData: azurite.connectionString,
    ITEM_SEAL_KEY: newSealKey(),
    MfaAudit: azurite.connectionString, // Azurite's blob service plays the audit account
    ...newTapKeySettings(),
    GRAPH_BASE_URL: e.GRAPH_BASE_URL,
    GRAPH_ALLOW_ANY_HOST: 'true', // the emulator is not a Graph host: development only
    AUTH_TENANT_ID: e.AUTH_TENANT_ID,
    AUTH_AUDIENCE: e.AUTH_AUDIENCE,
    AUTH_ISSUER: e.AUTH_ISSUER,
    AUTH_JWKS_URI: e.AUTH_JWKS_URI,
    PROTECTED_USERS: DEMO_BREAK_GLASS_UPN,
    PROTECTED_GROUP_IDS: DEMO_PROTECTED_GROUP_ID,
    STATUS_RETRY_AFTER_SECONDS: '1',
    ...approvalAndCooldownOff,
    ...options.env,
  };
  const telemetry = new RecordingTelemetry();
  const wrap = options.workerStore;
  // The last log lines are kept for the report a timed-out wait prints; E2E_LOG=debug|info also prints every line
  // (single JSON lines) to stderr.
  const recent: string[] = [];
  const log = jsonLineLog(
    (line) => {
      recent.push(line.trimEnd());
      if (recent.length > 200) recent.shift();
      if (process.env.E2E_LOG) process.stderr.write(line);
    },
    (process.env.E2E_LOG as 'info' | undefined) ?? 'info',
  );
  const { harness, app } = await startAppHarness({
    app: {
      compose: { telemetry, ...options.compose },
      // Fault injection: the queue functions get the wrapped store, the HTTP side keeps the real one.
      adjust: (composed) =>
        wrap && composed.worker
          ? { ...composed, worker: { ...composed.worker, store: wrap(composed.store) } }
          : composed,
    },
    port: 0,
    settings,
    log,
    // Failed messages come back after 1 s instead of 30 s, so poison tests stay short; and an idle listener polls at
    // least every 250 ms instead of 2 s, so a deferred or failed message is picked up soon after it is visible again
    // (new messages wake the listeners at once either way). Everything else is host.json.
    queueSettings: { visibilityTimeoutMs: 1_000, maxPollingIntervalMs: 250, ...options.queueSettings },
  });
  const stopReporting = reportOnTimeout(() =>
    systemReport({
      connectionString: azurite.connectionString,
      hostLines: () => recent,
      extra: () => [
        `listeners: ${harness.listeners
          .map((l) => `${l.queueName} inFlight=${l.inFlight} ${JSON.stringify(l.stats)}`)
          .join(' | ')}`,
      ],
    }),
  );
  return {
    azurite,
    emulator,
    app,
    harness,
    telemetry,
    url: harness.url,
    settings,
    logLines: () => [...recent],
    stop: async () => {
      stopReporting();
      await harness.stop();
      await emulator.stop();
      await azurite.stop();
    },
  };
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `ms`. */
export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${await timeoutReport()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until item `index` of the request is final, and returns it. */
export function finalItem(
  store: Pick<StateStore, 'getItem'>,
  requestId: string,
  what = `item of ${requestId} final`,
  ms?: number,
): Promise<StoredItem> {
  return until(
    async () => {
      const i = await store.getItem(requestId, 0);
      return i?.status === 'final' ? i : undefined;
    },
    what,
    ms,
  );
}

export const newTicket = (): string => `INC${randomUUID().replace(/\D/g, '').slice(0, 7).padEnd(7, '0')}`;

/** Stores a one-user request as the intake would (a demo caller, default options unless given) and queues it. */
export async function enqueueStoredReset(
  s: TestStack,
  user: string,
  stored: { readonly reason?: ResetReason; readonly options?: ResetOptions } = {},
): Promise<StoredRequest> {
  const ticket = newTicket();
  const reason = stored.reason ?? 'lost_device';
  const created = await s.app.store.createRequest({
    requester: { tenantId: DEMO_TENANT_ID, appId: DEMO_APPS.servicenow.appId, identityType: 'app' },
    ticket,
    reason,
    options: stored.options ?? defaultResetOptions,
    source: 'json',
    items: [{ userKey: user, ticket, reason }],
    idempotencyKey: `test:${ticket}`,
    fingerprint: ticket,
  });
  if (created.kind !== 'created') throw new Error(created.kind);
  await s.app.queue.submit(created.request.id, 1);
  await s.app.store.markEnqueued(created.request.id);
  return created.request;
}
