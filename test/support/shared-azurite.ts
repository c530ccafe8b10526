// One Azurite for a whole test run, serving a storage account of its own to each test file that asks for one.
// Starting Azurite costs about 5 CPU-seconds (three Node processes loading the emulator); most test files only need
// empty storage nobody else writes to, which an account of their own gives them: Azurite keeps every queue, table
// and container under the account's name. Files that stop, kill or restart Azurite still start their own.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { azuriteAccount, startAzurite, type RunningAzurite } from '../../dev/stack/azurite.js';

/** Set by the vitest globalSetup for the forked test processes (and their children). */
const sharedEnv = 'MFA_TEST_SHARED_AZURITE';
/** More than a run asks for (about 60 stacks today); past the last one, files fall back to their own Azurite. */
const accountCount = 400;
const accountName = (i: number): string => `mfatest${String(i).padStart(4, '0')}`;

interface SharedAzurite {
  readonly queuePort: number;
  readonly tablePort: number;
  readonly blobPort: number;
  /** One empty file per account handed out: creating it with O_EXCL is the lease, across processes. */
  readonly leaseDir: string;
  readonly accounts: number;
}

/** globalSetup: starts the shared Azurite and publishes it to the test processes; returns the teardown. */
export async function startSharedAzurite(): Promise<() => Promise<void>> {
  // TEST_AZURITE=own: every file starts its own, as before the shared one (to compare, or to rule it out).
  if (process.env.TEST_AZURITE === 'own') return () => Promise.resolve();
  const leaseDir = await mkdtemp(path.join(tmpdir(), 'mfa-reset-accounts-'));
  const accounts = Array.from({ length: accountCount }, (_, i) => `${accountName(i)}:${azuriteAccount.key}`);
  // The whole run depends on this one start: give a busy machine time (a service loads in about 1.5 CPU-seconds).
  const running = await startAzurite({
    blob: true,
    env: { AZURITE_ACCOUNTS: accounts.join(';') },
    startTimeoutMs: 90_000,
  }).catch(async (error: unknown) => {
    await rm(leaseDir, { recursive: true, force: true });
    throw error;
  });
  const shared: SharedAzurite = {
    queuePort: running.queuePort,
    tablePort: running.tablePort,
    blobPort: running.blobPort ?? 0,
    leaseDir,
    accounts: accountCount,
  };
  process.env[sharedEnv] = JSON.stringify(shared);
  return async () => {
    delete process.env[sharedEnv];
    await running.stop();
    await rm(leaseDir, { recursive: true, force: true });
  };
}

async function lease(shared: SharedAzurite): Promise<string | undefined> {
  for (let i = 0; i < shared.accounts; i++) {
    try {
      await (await open(path.join(shared.leaseDir, String(i)), 'wx')).close();
      return accountName(i);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return undefined;
}

/** Deletes what the account holds, so the shared processes do not carry every file's data to the end of the run. */
async function emptyAccount(connectionString: string, blob: boolean): Promise<void> {
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for await (const queue of queues.listQueues()) await queues.deleteQueue(queue.name);
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const table of tables.listTables()) if (table.name) await tables.deleteTable(table.name);
  if (!blob) return;
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  for await (const container of blobs.listContainers()) await blobs.deleteContainer(container.name);
}

/**
 * An account of the shared Azurite for this test file, or undefined when there is none (outside vitest's
 * globalSetup, or every account handed out). Without `blob`, the connection string has no blob endpoint, as a
 * queue-and-table Azurite of its own would.
 */
export async function leaseSharedAzurite(options: { readonly blob: boolean }): Promise<RunningAzurite | undefined> {
  const raw = process.env[sharedEnv];
  if (!raw) return undefined;
  const shared = JSON.parse(raw) as SharedAzurite;
  const name = await lease(shared);
  if (!name) return undefined;
  const endpoint = (port: number): string => `http://127.0.0.1:${port}/${name}`;
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${name}`,
    `AccountKey=${azuriteAccount.key}`,
    `QueueEndpoint=${endpoint(shared.queuePort)}`,
    `TableEndpoint=${endpoint(shared.tablePort)}`,
    ...(options.blob ? [`BlobEndpoint=${endpoint(shared.blobPort)}`] : []),
  ].join(';');
  const notOurs = (what: string) => (): Promise<void> =>
    Promise.reject(
      new Error(`${what}: this file uses an account of the shared Azurite; use startTestAzurite({ own: true })`),
    );
  let stopped = false;
  return {
    connectionString,
    queueEndpoint: endpoint(shared.queuePort),
    tableEndpoint: endpoint(shared.tablePort),
    ...(options.blob ? { blobEndpoint: endpoint(shared.blobPort), blobPort: shared.blobPort } : {}),
    queuePort: shared.queuePort,
    tablePort: shared.tablePort,
    location: undefined,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Best effort: the account is never handed out again, so what is left cannot reach another file.
      await emptyAccount(connectionString, options.blob).catch(() => undefined);
    },
    kill: notOurs('kill'),
    start: notOurs('start'),
    restart: notOurs('restart'),
  };
}
