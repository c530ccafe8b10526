// The local host harness as a process: `node dist/dev/harness/cli.js` with the same settings the Functions app
// reads (AzureWebJobsStorage, AUTH_*, GRAPH_BASE_URL, ...; PORT, default 7071). Prints one JSON line per event;
// the first `harness_started` line carries the URL. SIGINT/SIGTERM stop it cleanly; SIGKILL is a crash.
import { serveAppProcess } from './app-harness.js';
import { jsonLineLog, type HarnessLogLevel } from './log.js';

await serveAppProcess({
  log: jsonLineLog(
    (line) => process.stdout.write(line),
    (process.env.HARNESS_LOG_LEVEL as HarnessLogLevel | undefined) ?? 'info',
  ),
});
