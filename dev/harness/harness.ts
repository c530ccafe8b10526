// The local host harness: runs what registerFunctions registers (HTTP, storage queue and timer functions) with the
// Functions host's behaviour, against Azurite or a real storage account. Programmatic (tests) or as a process (cli.ts).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Timer } from '@azure/functions';
import { InvocationContext } from './functions-runtime.js';
import type { QueueServiceClient } from '@azure/storage-queue';
import { createQueueServiceClient } from '../../src/lib/queue/storage-clients.js';
import { queueActivity } from '../../src/lib/queue/queue-activity.js';
import type { FunctionRegistrar } from '../../src/app/function-registrar.js';
import { readQueueSettings, type QueueHostSettings } from './host-settings.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';
import { invocationLogHandler, silentLog, traceContextFor, type HarnessLog } from './log.js';
import { nextOccurrence } from './ncrontab.js';
import { QueueListener } from './queue-listener.js';
import { RecordingRegistrar } from './registrar.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..').replace(/[/\\]dist$/, '');

export interface HarnessOptions {
  /** Registers the functions, e.g. `(registrar) => registerFunctions(registrar, deps)`. */
  readonly register: (registrar: FunctionRegistrar) => void | Promise<void>;
  /** HTTP port: 0 = random; default PORT or 7071. */
  readonly port?: number;
  readonly host?: string;
  /** host.json to read queue settings from (default: the repository's). */
  readonly hostJsonPath?: string;
  /** Test-only changes to host.json's queue settings (e.g. a shorter visibilityTimeout). */
  readonly queueSettings?: Partial<QueueHostSettings>;
  /** App settings the bindings' `connection` names resolve against (default: process.env). */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  readonly log?: HarnessLog;
  /**
   * Wake a queue's listener as soon as this process sends to it through the app's queue adapter (default true).
   * The host only does that for output bindings; false keeps pure polling (latency up to maxPollingInterval).
   */
  readonly wakeOnAppSends?: boolean;
  /** Start queue listeners and timers (default true); false serves HTTP only. */
  readonly runQueues?: boolean;
}

export interface RunningHarness {
  readonly url: string;
  readonly port: number;
  readonly functions: readonly string[];
  readonly queueSettings: QueueHostSettings;
  readonly listeners: readonly QueueListener[];
  /** Polls every listener of `queueName` now. */
  notify(queueName: string): void;
  stop(): Promise<void>;
}

function connectionClient(
  connection: string,
  settings: Readonly<Record<string, string | undefined>>,
): QueueServiceClient {
  return createQueueServiceClient({
    connectionString: settings[connection],
    queueServiceUri: settings[`${connection}__queueServiceUri`] ?? settings[`${connection}__serviceUri`],
    credential: settings[`${connection}__credential`],
    clientId: settings[`${connection}__clientId`],
  });
}

export async function startHarness(options: HarnessOptions): Promise<RunningHarness> {
  const log = options.log ?? silentLog;
  const settings = options.settings ?? process.env;
  const registrar = new RecordingRegistrar();
  await options.register(registrar);
  const fromHostJson = await readQueueSettings(options.hostJsonPath ?? path.join(repoRoot, 'host.json'));
  const queueSettings: QueueHostSettings = { ...fromHostJson, ...options.queueSettings };

  const httpFunctions = registrar.registrations.flatMap((r) => (r.kind === 'http' ? [r] : []));
  const queueFunctions = registrar.registrations.flatMap((r) => (r.kind === 'storageQueue' ? [r] : []));
  const timerFunctions = registrar.registrations.flatMap((r) => (r.kind === 'timer' ? [r] : []));
  const runQueues = options.runQueues ?? true;

  const clients = new Map<string, QueueServiceClient>();
  const listeners: QueueListener[] = [];
  const notify = (queueName: string): void => {
    for (const l of listeners) if (l.queueName === queueName) l.notify();
  };
  if (runQueues) {
    for (const fn of queueFunctions) {
      const connection = fn.options.connection ?? 'AzureWebJobsStorage';
      let service = clients.get(connection);
      if (!service) {
        service = connectionClient(connection, settings);
        clients.set(connection, service);
      }
      listeners.push(
        new QueueListener({
          functionName: fn.name,
          options: fn.options,
          service,
          settings: queueSettings,
          log,
          onSent: notify,
        }),
      );
    }
  }

  const http: RunningHttpServer = await startHttpServer(httpFunctions, {
    port: options.port ?? Number(settings.PORT ?? 7071),
    host: options.host ?? '127.0.0.1',
    log,
  });
  const unsubscribe = (options.wakeOnAppSends ?? true) ? queueActivity.subscribe(notify) : () => undefined;
  for (const l of listeners) l.start();

  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const schedule = (fn: (typeof timerFunctions)[number], last: Date): void => {
    if (stopped) return;
    const next = nextOccurrence(fn.options.schedule, new Date());
    const timer = setTimeout(() => {
      const invocationId = randomUUID();
      const context = new InvocationContext({
        invocationId,
        functionName: fn.name,
        logHandler: invocationLogHandler(log, fn.name, invocationId),
        traceContext: traceContextFor(),
        options: { trigger: { type: 'timerTrigger', name: 'timer' } },
      });
      const timerInfo: Timer = {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: last.toISOString(), next: next.toISOString(), lastUpdated: new Date().toISOString() },
      };
      Promise.resolve(fn.options.handler(timerInfo, context))
        .catch((error: unknown) => log('error', { event: 'timer_failed', function: fn.name, error: String(error) }))
        .finally(() => schedule(fn, next));
    }, next.getTime() - Date.now());
    timers.push(timer);
  };
  if (runQueues) for (const fn of timerFunctions) schedule(fn, new Date());

  log('info', {
    event: 'harness_started',
    url: http.url,
    functions: registrar.registrations.map((r) => `${r.kind}:${r.name}`),
  });

  return {
    url: http.url,
    port: http.port,
    functions: registrar.registrations.map((r) => r.name),
    queueSettings,
    listeners,
    notify,
    stop: async () => {
      stopped = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      await http.stop();
      await Promise.all(listeners.map((l) => l.stop()));
    },
  };
}
