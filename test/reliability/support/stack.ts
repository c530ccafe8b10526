// The whole service for one test file: the Graph emulator (in this process), Azurite (child processes, optionally on
// disk) and the local host running the app (a child process that can be SIGKILLed and started again).
import { createTableStore, type TableStore } from '../../../src/lib/store/index.js';
import { controlsOffSettings } from '../../../dev/harness/suite-settings.js';
import type { TenantFixture } from '../../../dev/graph-emulator/index.js';
import { DEMO_APPS } from '../../../dev/graph-emulator/index.js';
import { startTestAzurite, type RunningAzurite } from '../../support/azurite.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { startHostProcess, type HostProcess } from './host-process.js';
import { emptyQueues, queueCounts, type QueueCounts } from './queue-probe.js';
import { systemReport } from './system-report.js';
import { reportOnTimeout, waitFor } from './wait-for.js';
import { newSealKey } from '../../../dev/stack/seal-key.js';
import { newTapKeySettings } from '../../../dev/stack/tap-key.js';

/** One seal key for every host of this process: an intake host's work must be sealed for a worker host. */
const sealKey = newSealKey();
/** One TAP key pair likewise: a pass sealed by a worker host opens in an intake host. */
const tapKeys = newTapKeySettings();

export interface StackOptions {
  readonly fixture: TenantFixture;
  /** Keep Azurite's data on disk (restart tests). */
  readonly onDisk?: boolean;
  /** Extra settings for the host process (PROTECTED_USERS, KILL_SWITCH, HARDEN_* knobs, limits…). */
  readonly hostEnv?: Readonly<Record<string, string>>;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

export interface Stack {
  readonly emulator: TestEmulator;
  readonly azurite: RunningAzurite;
  readonly store: TableStore;
  /** The running host (after startHost). */
  host(): HostProcess;
  /** Every output line of every host process this stack started (for the secret-leak search). */
  readonly hostLines: string[];
  /** Base URL of the running host's HTTP API. */
  url(): string;
  startHost(extraEnv?: Readonly<Record<string, string>>): Promise<HostProcess>;
  killHost(): Promise<void>;
  stopHost(): Promise<void>;
  /** A caller token for the service's API from the emulator's Entra endpoint (client credentials). */
  token(app?: { appId: string; clientSecret: string }): Promise<string>;
  /** POST /api/resets. */
  submit(
    body: string | object,
    options?: { token?: string; contentType?: string; headers?: Record<string, string> },
  ): Promise<HttpAnswer>;
  /** GET a path of the API (e.g. `/api/resets/{id}`). */
  get(path: string, token?: string): Promise<HttpAnswer>;
  /** POST a path of the API with an optional JSON body (e.g. `/api/resets/{id}/cancel`). */
  post(path: string, token?: string, body?: object): Promise<HttpAnswer>;
  /** PUT a JSON body to a path of the API (e.g. `/api/control/kill-switch`). */
  put(path: string, token?: string, body?: object): Promise<HttpAnswer>;
  /** Waits until every item of the request is final; returns the status body. */
  waitCompleted(requestId: string, timeoutMs?: number, token?: string): Promise<Record<string, unknown>>;
  queues(): Promise<QueueCounts>;
  /** Waits until the work queues and their poison queues are empty (leased and deferred messages included). */
  waitQueuesEmpty(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Settings for a host process of this stack (storage, Graph and auth from the emulator, generous limits). */
export function hostEnvFor(
  stack: Pick<Stack, 'azurite' | 'emulator'> & { readonly options?: StackOptions },
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env = stack.emulator.env;
  return {
    AzureWebJobsStorage: stack.azurite.connectionString,
    ITEM_SEAL_KEY: sealKey,
    MfaAudit: stack.azurite.connectionString, // Azurite's blob service plays the audit account
    ...tapKeys,
    MFA_RESET_FUNCTIONS: 'all',
    GRAPH_BASE_URL: env.GRAPH_BASE_URL,
    GRAPH_ALLOW_ANY_HOST: 'true', // the emulator is not a Graph host: development only
    IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: env.IDENTITY_HEADER,
    NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS,
    AUTH_TENANT_ID: env.AUTH_TENANT_ID,
    AUTH_AUDIENCE: env.AUTH_AUDIENCE,
    AUTH_ISSUER: env.AUTH_ISSUER,
    AUTH_JWKS_URI: env.AUTH_JWKS_URI,
    PORT: '0',
    HARDEN_MAX_POLLING_MS: '250',
    ...controlsOffSettings,
    ...stack.options?.hostEnv,
    ...extra,
  };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const [emulator, azurite] = await Promise.all([
    startTestEmulator(options.fixture),
    startTestAzurite({ onDisk: options.onDisk, blob: true }),
  ]);
  const store = createTableStore({ storage: { kind: 'connectionString', connectionString: azurite.connectionString } });
  const hostLines: string[] = [];
  let host: HostProcess | undefined;
  let baseUrl: string | undefined;
  const tokens = new Map<string, string>();
  const env = emulator.env;

  const hostEnv = (extra: Readonly<Record<string, string>> = {}): Record<string, string> =>
    hostEnvFor({ azurite, emulator, options }, extra);

  const send = async (method: string, path: string, token?: string, body?: object): Promise<HttpAnswer> => {
    const res = await fetch(`${stack.url()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? (await stack.token())}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return answer(res);
  };

  // Every wait of the test file prints this on a timeout: queues, unfinished requests and their items, host log.
  const report = (requestIds?: readonly string[], extra: readonly string[] = []): Promise<string> =>
    systemReport({
      connectionString: azurite.connectionString,
      ...(requestIds ? { requestIds } : {}),
      hostLines: () => [...hostLines, ...(host?.lines ?? [])],
      quiet: (line) => line.includes('"event":"http_request"') && line.includes('"method":"GET"'),
      extra: () => [...extra, `host: ${host ? `running (pid ${host.pid})` : 'not running'}`],
    });
  const stopReporting = reportOnTimeout(() => report());

  const stack: Stack = {
    emulator,
    azurite,
    store,
    hostLines,
    host() {
      if (!host) throw new Error('the host is not running');
      return host;
    },
    url() {
      if (!baseUrl) throw new Error('the host is not running');
      return baseUrl;
    },
    async startHost(extraEnv) {
      if (host) throw new Error('a host is already running');
      const started = await startHostProcess({
        entry: 'test/reliability/support/host-entry.ts',
        env: hostEnv(extraEnv),
      });
      host = started;
      const match = await started.waitForLine(/"event":"harness_started".*?"url":"(http[^"]+)"/, 45_000);
      baseUrl = match[1];
      return started;
    },
    async killHost() {
      const h = host;
      host = undefined;
      baseUrl = undefined;
      if (h) {
        await h.kill();
        hostLines.push(...h.lines);
      }
    },
    async stopHost() {
      const h = host;
      host = undefined;
      baseUrl = undefined;
      if (h) {
        await h.stop();
        hostLines.push(...h.lines);
      }
    },
    async token(app = DEMO_APPS.logicApp) {
      let t = tokens.get(app.appId);
      if (!t) {
        t = await emulator.clientToken(app, `${env.AUTH_AUDIENCE}/.default`);
        tokens.set(app.appId, t);
      }
      return t;
    },
    async submit(body, submitOptions = {}) {
      const token = submitOptions.token ?? (await stack.token());
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await fetch(`${stack.url()}/api/resets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': submitOptions.contentType ?? 'application/json',
          ...submitOptions.headers,
        },
        body: text,
      });
      return answer(res);
    },
    async get(path, token) {
      const res = await fetch(`${stack.url()}${path}`, {
        headers: { authorization: `Bearer ${token ?? (await stack.token())}` },
      });
      return answer(res);
    },
    async post(path, token, body) {
      return send('POST', path, token, body);
    },
    async put(path, token, body) {
      return send('PUT', path, token, body);
    },
    async waitCompleted(requestId, timeoutMs = 60_000, token) {
      let answered = 'no answer yet';
      return waitFor(
        async () => {
          const r = await stack.get(`/api/resets/${requestId}`, token);
          const body = r.json as Record<string, unknown> | undefined;
          answered = `${r.status} status=${String(body?.status)} pending=${String(body?.pending)}`;
          return r.status === 200 && body?.status === 'completed' ? body : undefined;
        },
        {
          what: `request ${requestId} to complete`,
          timeoutMs,
          intervalMs: 200,
          report: () => report([requestId], [`last status answer: ${answered}`]),
        },
      );
    },
    queues: () => queueCounts(azurite.connectionString),
    async waitQueuesEmpty(timeoutMs = 30_000) {
      await waitFor(async () => JSON.stringify(await stack.queues()) === JSON.stringify(emptyQueues), {
        what: 'the queues (and the poison queues) to be empty',
        timeoutMs,
        intervalMs: 250,
      });
    },
    async stop() {
      stopReporting();
      await stack.stopHost().catch(() => undefined);
      await Promise.allSettled([emulator.stop(), azurite.stop()]);
    },
  };
  return stack;
}
