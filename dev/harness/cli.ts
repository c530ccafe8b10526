// The local host harness as a process: `node dist/dev/harness/cli.js` with the same settings the Functions app
// reads (AzureWebJobsStorage, AUTH_*, GRAPH_BASE_URL, ...; PORT, default 7071), from the environment and, for what
// the environment leaves unset, local.settings.json (local-settings.ts). Prints one JSON line per event;
// the first `harness_started` line carries the URL. SIGINT/SIGTERM stop it cleanly; SIGKILL is a crash.
import { serveAppProcess } from './app-harness.js';
import { applyLocalSettings, localSettingsPath } from './local-settings.js';
import { jsonLineLog, type HarnessLogLevel } from './log.js';

const log = jsonLineLog(
  (line) => process.stdout.write(line),
  (process.env.HARNESS_LOG_LEVEL as HarnessLogLevel | undefined) ?? 'info',
);
try {
  const keys = await applyLocalSettings();
  if (keys.length > 0) log('info', { event: 'local_settings_applied', file: localSettingsPath, keys });
} catch (error) {
  log('error', { event: 'harness_start_failed', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
await serveAppProcess({ log });
