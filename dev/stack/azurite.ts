// Runs Azurite's queue, table and blob services as child processes for tests and the local stack (the blob service
// plays the audit account: Azurite does not enforce immutability policies, so tests check the hash chain instead).
// `require('azurite')` is not a library (its main is the VS Code extension), so we spawn its bins with this Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

/** The well-known development account every Azurite instance serves. */
export const azuriteAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

export interface StartAzuriteOptions {
  /** Folder for on-disk data (kept across restarts). Absent: in-memory, lost on stop. */
  readonly location?: string;
  /** Fixed ports; absent or 0 = free ports picked at start (and kept across restarts). */
  readonly queuePort?: number;
  readonly tablePort?: number;
  readonly blobPort?: number;
  /** Run the blob service too (default true: the worker's audit record needs it; store-only tests leave it out). */
  readonly blob?: boolean;
  /** Copy Azurite's own output to this process's stderr (debugging). */
  readonly verbose?: boolean;
  /** Extra environment for the services (e.g. AZURITE_ACCOUNTS: the accounts they serve instead of the default one). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long each service may take to listen (default 20 s). */
  readonly startTimeoutMs?: number;
}

export interface RunningAzurite {
  /** Explicit connection string with Queue-, Table- (and Blob-) Endpoint (custom ports need the explicit form). */
  readonly connectionString: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  /** Absent when started without the blob service. */
  readonly blobEndpoint?: string;
  readonly queuePort: number;
  readonly tablePort: number;
  readonly blobPort?: number;
  readonly location: string | undefined;
  /** Stops the services (SIGINT, the signal every service flushes its data on). Idempotent. */
  stop(): Promise<void>;
  /** Stops and starts again on the same ports; with a location, the data survives. */
  restart(): Promise<void>;
  /** Kills the services at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts the services again after stop() or kill(), on the same ports. */
  start(): Promise<void>;
}

type Service = 'queue' | 'table' | 'blob';
const servicesOf = (options: StartAzuriteOptions): readonly Service[] =>
  options.blob === false ? ['queue', 'table'] : ['queue', 'table', 'blob'];

const require = createRequire(import.meta.url);
const azuriteRoot = path.dirname(require.resolve('azurite/package.json'));
const mainScript: Record<Service, string> = {
  queue: path.join(azuriteRoot, 'dist/src/queue/main.js'),
  table: path.join(azuriteRoot, 'dist/src/table/main.js'),
  blob: path.join(azuriteRoot, 'dist/src/blob/main.js'),
};

const defaultStartTimeoutMs = 20_000;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that fails before stop() must not leave Azurite running after its process ends.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function spawnService(service: Service, port: number, options: StartAzuriteOptions): Promise<ChildProcess> {
  const args = [
    mainScript[service],
    `--${service}Host`,
    '127.0.0.1',
    `--${service}Port`,
    String(port),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.location ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
  });
  live.add(child);
  installExitHook();
  child.once('exit', () => live.delete(child));

  const startTimeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs;
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`Azurite ${service} did not start on port ${port} within ${startTimeoutMs} ms: ${output.trim()}`),
      );
    }, startTimeoutMs);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      if (options.verbose) process.stderr.write(`[azurite-${service}] ${text}`);
      output += text;
      // Queue and blob say "successfully listens on http://127.0.0.1:N", table "successfully started on 127.0.0.1:N".
      if (/successfully (listens|started) on/.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        if (options.verbose)
          child.stdout?.on('data', (c: Buffer) => process.stderr.write(`[azurite-${service}] ${c.toString()}`));
        else child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (options.verbose) process.stderr.write(`[azurite-${service}] ${chunk.toString()}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`Azurite ${service} exited (${signal ?? code}) before listening on port ${port}: ${output.trim()}`),
      );
    });
  });
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

type Ports = Record<Service, number>;

async function startServices(
  options: StartAzuriteOptions,
  ports: Ports,
): Promise<Partial<Record<Service, ChildProcess>>> {
  const services = servicesOf(options);
  const started = await Promise.allSettled(services.map((service) => spawnService(service, ports[service], options)));
  const children: Partial<Record<Service, ChildProcess>> = {};
  let failure: unknown;
  started.forEach((result, i) => {
    const service = services[i];
    if (result.status === 'fulfilled' && service) children[service] = result.value;
    else if (result.status === 'rejected') failure ??= result.reason;
  });
  if (failure === undefined) return children;
  await Promise.all(Object.values(children).map((child) => stopChild(child, 'SIGKILL')));
  throw failure instanceof Error ? failure : new Error(`Azurite did not start: ${JSON.stringify(failure)}`);
}

export function azuriteConnectionString(queuePort: number, tablePort: number, blobPort?: number): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${azuriteAccount.name}`,
    `AccountKey=${azuriteAccount.key}`,
    `QueueEndpoint=http://127.0.0.1:${queuePort}/${azuriteAccount.name}`,
    `TableEndpoint=http://127.0.0.1:${tablePort}/${azuriteAccount.name}`,
    ...(blobPort ? [`BlobEndpoint=http://127.0.0.1:${blobPort}/${azuriteAccount.name}`] : []),
  ].join(';');
}

/** Starts Azurite queue, table and (unless `blob: false`) blob on free (or given) ports; resolves once all listen. */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  if (options.location) await mkdir(options.location, { recursive: true });
  const fixedPorts = Boolean(options.queuePort) || Boolean(options.tablePort) || Boolean(options.blobPort);
  let ports: Ports = { queue: 0, table: 0, blob: 0 };
  let children: Partial<Record<Service, ChildProcess>> | undefined;
  const withBlob = options.blob !== false;
  // A free port can be taken between probing and binding: retry a few times when the ports were ours to choose.
  for (let attempt = 1; ; attempt++) {
    ports = {
      queue: options.queuePort || (await freePort()),
      table: options.tablePort || (await freePort()),
      blob: withBlob ? options.blobPort || (await freePort()) : 0,
    };
    try {
      children = await startServices(options, ports);
      break;
    } catch (error) {
      if (fixedPorts || attempt >= 3) throw error;
    }
  }

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const current = children;
    children = undefined;
    await Promise.all(servicesOf(options).map((service) => stopChild(current?.[service], signal)));
  };
  const start = async (): Promise<void> => {
    if (children) return;
    children = await startServices(options, ports);
  };

  return {
    connectionString: azuriteConnectionString(ports.queue, ports.table, withBlob ? ports.blob : undefined),
    queueEndpoint: `http://127.0.0.1:${ports.queue}/${azuriteAccount.name}`,
    tableEndpoint: `http://127.0.0.1:${ports.table}/${azuriteAccount.name}`,
    ...(withBlob
      ? { blobEndpoint: `http://127.0.0.1:${ports.blob}/${azuriteAccount.name}`, blobPort: ports.blob }
      : {}),
    queuePort: ports.queue,
    tablePort: ports.table,
    location: options.location,
    // azurite-table only handles SIGINT (SIGTERM would skip saving its database); queue and blob handle both.
    stop: () => stop('SIGINT'),
    kill: () => stop('SIGKILL'),
    start,
    restart: async () => {
      await stop('SIGINT');
      await start();
    },
  };
}
