// The local host as a process for the reliability and security suites: what dev/harness/cli.ts runs, plus test
// knobs read from the environment (shorter receive visibility and item lease, so a killed host's work comes back
// within a test) and telemetry written as JSON lines (so a test sees alert events from outside the process).
// Started by host-process.ts (bundled with esbuild); never deployed.
import { compose } from '../../../src/app/compose.js';
import { registerFunctions } from '../../../src/app/register-functions.js';
import { ConfigError, loadConfig } from '../../../src/lib/config/index.js';
import type { Telemetry } from '../../../src/lib/telemetry/index.js';
import { startHarness } from '../../../dev/harness/harness.js';
import { jsonLineLog } from '../../../dev/harness/log.js';

const log = jsonLineLog((line) => process.stdout.write(line), 'info');
const knob = (name: string): number | undefined => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : Number(raw);
};
const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const telemetry: Telemetry = {
  trackEvent: (name, properties = {}) => log('info', { event: 'telemetry_event', name, properties }),
  trackMetric: (name, value, dimensions = {}) => log('info', { event: 'telemetry_metric', name, value, dimensions }),
};

try {
  const config = loadConfig();
  const deps = await compose(config, {
    telemetry,
    worker: defined({
      leaseSeconds: knob('HARDEN_LEASE_SECONDS'),
      killSwitchDelaySeconds: knob('HARDEN_KILL_SWITCH_DELAY_SECONDS'),
    }),
  });
  const harness = await startHarness({
    register: (registrar) => registerFunctions(registrar, deps),
    log,
    port: Number(process.env.PORT ?? 0),
    queueSettings: defined({
      receiveVisibilitySeconds: knob('HARDEN_RECEIVE_VISIBILITY_SECONDS'),
      maxPollingIntervalMs: knob('HARDEN_MAX_POLLING_MS'),
      visibilityTimeoutMs: knob('HARDEN_RETRY_VISIBILITY_MS'),
    }),
  });
  const stop = (signal: string): void => {
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
