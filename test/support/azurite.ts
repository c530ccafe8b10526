// Azurite for tests: an account of the run's shared Azurite, or (on disk, or `own`) queue + table services of the
// file's own on free ports, in memory or in a temporary folder (for restart tests).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from '../../dev/stack/azurite.js';
import { leaseSharedAzurite } from './shared-azurite.js';

export { azuriteAccount, azuriteConnectionString, startAzurite } from '../../dev/stack/azurite.js';
export type { RunningAzurite, StartAzuriteOptions } from '../../dev/stack/azurite.js';

export interface TestAzuriteOptions {
  /** Keep data on disk in a temporary folder, so restart() (or kill() + start()) keeps queues and tables. */
  readonly onDisk?: boolean;
  readonly verbose?: boolean;
  /**
   * Also run the blob service, which the worker's audit record needs (stacks that run a worker). Off by default: each
   * service is a Node process, and most test files need only queues and tables.
   */
  readonly blob?: boolean;
  /**
   * Processes of the file's own (implied by onDisk): for tests that stop, kill or restart Azurite. Otherwise the file
   * gets an account of its own on the Azurite the whole run shares (test/support/shared-azurite.ts).
   */
  readonly own?: boolean;
}

/**
 * Storage for one test file. `stop()` empties the shared account, or stops the file's own Azurite and removes its
 * temporary folder. Usage: `const azurite = await startTestAzurite(); process.env.MfaData = azurite.connectionString;`
 */
export async function startTestAzurite(options: TestAzuriteOptions = {}): Promise<RunningAzurite> {
  if (!options.own && !options.onDisk) {
    const shared = await leaseSharedAzurite({ blob: options.blob === true });
    if (shared) return shared;
  }
  const location = options.onDisk ? await mkdtemp(path.join(tmpdir(), 'mfa-reset-azurite-')) : undefined;
  const running = await startAzurite({ location, verbose: options.verbose, blob: options.blob === true });
  return {
    ...running,
    stop: async () => {
      await running.stop();
      if (location) await rm(location, { recursive: true, force: true });
    },
  };
}
