// MFA_RESET_FUNCTIONS decides what one app registers: the HTTP side never gets queue functions and vice versa.
import { describe, expect, it } from 'vitest';
import { RecordingRegistrar } from '../../dev/harness/registrar.js';
import { registerFunctions, type FunctionDeps } from '../../src/app/register-functions.js';
import { RecordingTelemetry } from '../../src/lib/telemetry/index.js';

// Registration only builds handlers; nothing here is invoked, so the ports are never called.
const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used in this test')) });
const shared = { store: unused, queue: unused, telemetry: new RecordingTelemetry() } as unknown as NonNullable<
  FunctionDeps['sweeper']
>;
const http: FunctionDeps['http'] = [
  { name: 'resets-submit', route: 'resets', methods: ['POST'], handler: () => Promise.resolve({ status: 202 }) },
  { name: 'resets-status', route: 'resets/{id}', methods: ['GET'], handler: () => Promise.resolve({ status: 200 }) },
];
const worker = { ...shared, engine: undefined, sealer: undefined, killSwitch: false };
const callbacks = {
  ...shared,
  cipher: unused,
  policy: { allowedHosts: [], allowLocalhost: false },
  signingKey: undefined,
  sender: unused,
} as unknown as NonNullable<FunctionDeps['callbacks']>;

function names(deps: FunctionDeps): string[] {
  const registrar = new RecordingRegistrar();
  registerFunctions(registrar, deps);
  return registrar.registrations.map((r) => `${r.kind}:${r.name}`);
}

describe('registerFunctions', () => {
  const queueFunctions = [
    'storageQueue:reset-batches',
    'storageQueue:reset-items',
    'storageQueue:reset-batches-poison',
    'storageQueue:reset-items-poison',
    'storageQueue:reset-callbacks',
    'storageQueue:reset-callbacks-poison',
  ];
  const intakeFunctions = ['http:resets-submit', 'http:resets-status', 'timer:reset-sweeper'];

  it('registers everything in all mode', () => {
    expect(names({ mode: 'all', http, sweeper: shared, worker, callbacks })).toEqual([
      ...intakeFunctions,
      ...queueFunctions,
    ]);
  });

  it('registers only the HTTP functions and the sweeper in intake mode, even when worker deps are present', () => {
    expect(names({ mode: 'intake', http, sweeper: shared, worker, callbacks })).toEqual(intakeFunctions);
  });

  it('registers only the queue functions in worker mode', () => {
    expect(names({ mode: 'worker', http, sweeper: shared, worker, callbacks })).toEqual(queueFunctions);
  });

  it('binds the queue triggers to AzureWebJobsStorage, anonymous HTTP routes under the given paths', () => {
    const registrar = new RecordingRegistrar();
    registerFunctions(registrar, { mode: 'all', http, sweeper: shared, worker, callbacks });
    for (const r of registrar.registrations) {
      if (r.kind === 'storageQueue')
        expect(r.options).toMatchObject({ connection: 'AzureWebJobsStorage', queueName: r.name });
      if (r.kind === 'http') expect(r.options.authLevel).toBe('anonymous');
    }
  });

  it('binds the queue triggers to MfaData when the reset data has its own connection', () => {
    const registrar = new RecordingRegistrar();
    registerFunctions(registrar, { mode: 'worker', queueConnection: 'MfaData', worker, callbacks });
    const queues = registrar.registrations.filter((r) => r.kind === 'storageQueue');
    expect(queues).toHaveLength(6);
    for (const r of queues) expect(r.options).toMatchObject({ connection: 'MfaData' });
  });

  it('refuses a mode without the dependencies it needs', () => {
    expect(() => names({ mode: 'worker' })).toThrow(/worker dependencies/);
    expect(() => names({ mode: 'intake', worker })).toThrow(/HTTP handlers/);
  });
});
