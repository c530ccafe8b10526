// The local stack for benchmarks, each part in its own process as in `npm start`: Azurite (queue + table), the Graph
// emulator, and the Functions app on the host harness (bench/support/stack-host.ts). Plus a caller: a client-credentials
// token from the emulator's Entra endpoint for the demo Logic App (Resets.Submit, Resets.SubmitBulk, Resets.Read).
import { spawn } from 'node:child_process';
import { controlsOffSettings } from '../../dev/harness/suite-settings.js';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { DEMO_APPS } from '../../dev/graph-emulator/index.js';
import type { TenantFixture } from '../../dev/graph-emulator/types.js';
import { startAzurite } from '../../dev/stack/azurite.js';
import type { RunningAzurite } from '../../dev/stack/azurite.js';
import type { EmulatorProcess } from './emulator-process.js';
import { startEmulatorProcess } from './emulator-process.js';
import { newSealKey } from '../../dev/stack/seal-key.js';

export interface LocalStackOptions {
  readonly fixture: TenantFixture;
  /** Functions not to run (see stack-host.ts). */
  readonly skipFunctions?: readonly string[];
  /** false: queue listeners only poll, like the real host for messages sent with the SDK. Default true. */
  readonly wakeOnSend?: boolean;
  /** Extra app settings (e.g. GRAPH_MAX_CONCURRENCY). */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * App processes on the same storage and tenant (default 1), as Flex Consumption's worker instances: every one runs
   * the queue functions and competes for the messages; the first serves the API the bench calls.
   */
  readonly appProcesses?: number;
}

/** Node flags for the app process, e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it. */
const appNodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface StatusAnswer {
  readonly status: number;
  readonly body: StatusBody;
  /** Retry-After in seconds, when the answer had one. */
  readonly retryAfterS: number | undefined;
}

export interface StatusBody {
  readonly id: string;
  readonly status: string;
  readonly counts?: Readonly<Record<string, number>>;
  readonly [key: string]: unknown;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly emulator: EmulatorProcess;
  readonly azurite: RunningAzurite;
  readonly queues: QueueServiceClient;
  readonly appPid: number;
  /** Every app process's id (the first is appPid). */
  readonly appPids: readonly number[];
  token(): Promise<string>;
  /** POST /api/resets; resolves on the answer (202 expected), with the time the answer arrived. */
  submit(body: string, contentType: string): Promise<{ status: number; id: string; answeredAt: number; text: string }>;
  status(id: string): Promise<StatusAnswer>;
  /** Stops everything; returns the app process's peak resident memory in bytes. */
  stop(): Promise<{ appMaxRssBytes: number | undefined }>;
}

async function startApp(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string; maxRss: Promise<number | undefined> }> {
  const entry = path.resolve(import.meta.dirname, 'stack-host.js');
  const child = spawn(process.execPath, [...appNodeArgs, entry], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let resolveRss: (v: number | undefined) => void = () => undefined;
  const maxRss = new Promise<number | undefined>((resolve) => (resolveRss = resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not start within 60 s')), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const started = /@@stack (\S+)/.exec(out);
      if (started) {
        clearTimeout(timer);
        resolve(started[1]);
      }
      const rss = /@@maxrss (\d+)/.exec(out);
      if (rss) resolveRss(Number(rss[1]));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRss(undefined);
      reject(new Error(`the app exited with ${code} before it was ready`));
    });
  });
  return { child, url, maxRss };
}

async function stopApp(app: Awaited<ReturnType<typeof startApp>>): Promise<number | undefined> {
  const exited = new Promise<void>((resolve) => app.child.once('exit', () => resolve()));
  app.child.kill('SIGTERM');
  const maxRss = await Promise.race([
    app.maxRss,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
  ]);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (app.child.exitCode === null) app.child.kill('SIGKILL');
  return maxRss;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const azurite = await startAzurite();
  let emulator: EmulatorProcess | undefined;
  try {
    emulator = await startEmulatorProcess();
    await emulator.control.loadTenant(options.fixture);
    const e = emulator.env;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_EXTRA_CA_CERTS: e.NODE_EXTRA_CA_CERTS,
      MFA_RESET_FUNCTIONS: 'all',
      AzureWebJobsStorage: azurite.connectionString,
      ITEM_SEAL_KEY: newSealKey(),
      MfaAudit: azurite.connectionString, // Azurite's blob service plays the audit account
      GRAPH_BASE_URL: e.GRAPH_BASE_URL,
      GRAPH_ALLOW_ANY_HOST: 'true', // the emulator is not a Graph host: development only
      IDENTITY_ENDPOINT: e.IDENTITY_ENDPOINT,
      IDENTITY_HEADER: e.IDENTITY_HEADER,
      AUTH_TENANT_ID: e.AUTH_TENANT_ID,
      AUTH_AUDIENCE: e.AUTH_AUDIENCE,
      AUTH_ISSUER: e.AUTH_ISSUER,
      AUTH_JWKS_URI: e.AUTH_JWKS_URI,
      BENCH_SKIP_FUNCTIONS: (options.skipFunctions ?? []).join(','),
      BENCH_WAKE_ON_SEND: options.wakeOnSend === false ? 'false' : 'true',
      // The benchmarks submit more than the default quotas allow (a 50,000-row CSV, thousands of users, runs of
      // single resets) and reset the same users again: a deployment that does so raises them. The users are still
      // counted, so the cost is measured.
      ...controlsOffSettings,
      ...options.settings,
    };
    const started = await Promise.allSettled(
      Array.from({ length: Math.max(1, options.appProcesses ?? 1) }, () => startApp(env)),
    );
    const apps = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(apps.map((a) => stopApp(a)));
      throw failed.reason;
    }
    const app = apps[0];
    const apiUrl = app.url;
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const em = emulator;
    let cached: { token: string; until: number } | undefined;
    const token = async (): Promise<string> => {
      if (cached && cached.until > Date.now()) return cached.token;
      const response = await fetch(e.TOKEN_ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: DEMO_APPS.logicApp.appId,
          client_secret: DEMO_APPS.logicApp.clientSecret,
          scope: `${e.AUTH_AUDIENCE}/.default`,
        }),
      });
      const body = (await response.json()) as { access_token?: string; expires_in?: number };
      if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status}`);
      cached = { token: body.access_token, until: Date.now() + ((body.expires_in ?? 3600) - 300) * 1000 };
      return body.access_token;
    };
    return {
      apiUrl,
      emulator: em,
      azurite,
      queues,
      appPid: app.child.pid!,
      appPids: apps.map((a) => a.child.pid!),
      token,
      submit: async (body, contentType) => {
        const bearer = await token();
        const response = await fetch(`${apiUrl}/api/resets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType },
          body,
        });
        const answeredAt = performance.now();
        const text = await response.text();
        let id = '';
        try {
          id = (JSON.parse(text) as { id?: string }).id ?? '';
        } catch {
          id = '';
        }
        return { status: response.status, id, answeredAt, text };
      },
      status: async (id) => {
        const bearer = await token();
        const response = await fetch(`${apiUrl}/api/resets/${encodeURIComponent(id)}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
        return {
          status: response.status,
          body: (await response.json()) as StatusBody,
          retryAfterS: Number.isFinite(retryAfter) ? retryAfter : undefined,
        };
      },
      stop: async () => {
        const rss = await Promise.all(apps.map((a) => stopApp(a)));
        const appMaxRssBytes = rss[0];
        await em.stop();
        await azurite.stop();
        return { appMaxRssBytes };
      },
    };
  } catch (error) {
    await emulator?.stop();
    await azurite.stop();
    throw error;
  }
}
