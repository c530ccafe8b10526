// Azurite for tests: queue + table services on free ports, in memory or in a temporary folder (for restart tests).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from '../../dev/stack/azurite.js';

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
}

/**
 * Starts Azurite for one test file. `stop()` also removes the temporary folder.
 * Usage: `const azurite = await startTestAzurite(); process.env.AzureWebJobsStorage = azurite.connectionString;`
 */
export async function startTestAzurite(options: TestAzuriteOptions = {}): Promise<RunningAzurite> {
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
