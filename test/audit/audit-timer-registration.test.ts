// The audit record's timer runs where the worker runs and nowhere else: the intake never holds the record.
import { describe, expect, it } from 'vitest';
import { RecordingRegistrar } from '../../dev/harness/registrar.js';
import { registerFunctions, type FunctionDeps } from '../../src/app/register-functions.js';
import { RecordingTelemetry } from '../../src/lib/telemetry/index.js';

// Registration only builds handlers; nothing here is invoked, so the ports are never called.
const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used in this test')) });
const shared = { store: unused, queue: unused, telemetry: new RecordingTelemetry() } as unknown as NonNullable<
  FunctionDeps['sweeper']
>;
const worker = { ...shared, engine: undefined, sealer: undefined, killSwitch: false };
const auditReconcile = { reconcileChanged: () => Promise.resolve({ requests: 0, appended: 0, failed: 0 }) };

function timers(deps: FunctionDeps): string[] {
  const registrar = new RecordingRegistrar();
  registerFunctions(registrar, deps);
  return registrar.registrations.filter((r) => r.kind === 'timer').map((r) => r.name);
}

describe('the audit reconcile timer', () => {
  it.each([
    ['worker', ['reset-audit-reconcile']],
    ['all', ['reset-sweeper', 'reset-audit-reconcile']],
    ['intake', ['reset-sweeper']],
  ] as const)('in %s mode the timers are %j', (mode, expected) => {
    const http: FunctionDeps['http'] = [
      { name: 'resets-submit', route: 'resets', methods: ['POST'], handler: () => Promise.resolve({ status: 202 }) },
    ];
    expect(timers({ mode, http, sweeper: shared, worker, auditReconcile })).toEqual(expected);
  });
});
