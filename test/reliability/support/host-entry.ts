// The local host as a process for the reliability and security suites: what dev/harness/cli.ts runs, plus test
// knobs read from the environment (shorter receive visibility and item lease, so a killed host's work comes back
// within a test) and telemetry written as JSON lines (so a test sees alert events from outside the process).
// Started by host-process.ts (bundled with esbuild); never deployed.
import type { Telemetry } from '../../../src/lib/telemetry/index.js';
import { serveAppProcess } from '../../../dev/harness/app-harness.js';
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

await serveAppProcess({
  log,
  port: Number(process.env.PORT ?? 0),
  app: {
    compose: {
      telemetry,
      worker: defined({
        leaseSeconds: knob('HARDEN_LEASE_SECONDS'),
        killSwitchDelaySeconds: knob('HARDEN_KILL_SWITCH_DELAY_SECONDS'),
      }),
    },
  },
  queueSettings: defined({
    receiveVisibilitySeconds: knob('HARDEN_RECEIVE_VISIBILITY_SECONDS'),
    maxPollingIntervalMs: knob('HARDEN_MAX_POLLING_MS'),
    visibilityTimeoutMs: knob('HARDEN_RETRY_VISIBILITY_MS'),
  }),
});
