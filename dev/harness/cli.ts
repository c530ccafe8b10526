// The local host harness as a process: `node dist/dev/harness/cli.js` with the same settings the Functions app
// reads (AzureWebJobsStorage, AUTH_*, GRAPH_BASE_URL, ...; PORT, default 7071). Prints one JSON line per event;
// the first `harness_started` line carries the URL. SIGINT/SIGTERM stop it cleanly; SIGKILL is a crash.
import { compose } from '../../src/app/compose.js';
import { registerFunctions } from '../../src/app/register-functions.js';
import { ConfigError, loadConfig } from '../../src/lib/config/index.js';
import { startHarness } from './harness.js';
import { jsonLineLog, type HarnessLogLevel } from './log.js';

const log = jsonLineLog(
  (line) => process.stdout.write(line),
  (process.env.HARNESS_LOG_LEVEL as HarnessLogLevel | undefined) ?? 'info',
);

try {
  const config = loadConfig();
  const deps = await compose(config);
  const harness = await startHarness({ register: (registrar) => registerFunctions(registrar, deps), log });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log('info', { event: 'harness_stopping', signal });
    harness.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  log('error', { event: 'harness_start_failed', error: error instanceof ConfigError ? error.message : String(error) });
  process.exit(1);
}
