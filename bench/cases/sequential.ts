// Issue 7 §2: the algorithm of the common reset scripts (bench/baseline/sequential-script.ts: list, then delete one
// method at a time, one user at a time) against our engine, on the same users, emulator latency fixed per call,
// throttling off. Both use the real Graph client against the emulator (in its own process) with the same managed
// identity. The tenant is reloaded between the two runs so each starts from the same methods.
//
// Our engine runs the way the worker runs it: one reset per queue message, with as many messages in flight as one
// Functions instance takes from the queue (host.json batchSize + newBatchThreshold), all sharing one Graph port and
// its adaptive concurrency limit (GRAPH_MAX_CONCURRENCY default 16). It does more per user than the script: resolve,
// guard (role assignments, eligibility), default-method lookup, verify list, revoke sessions.
import { readFile } from 'node:fs/promises';
import { demoTenant } from '../../dev/graph-emulator/index.js';
import { createGraphCredential, createGraphPort, graphScopeFor } from '../../src/lib/graph/index.js';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import type { ResetResult } from '../../src/lib/domain/index.js';
import { createResetEngine } from '../../src/lib/reset/index.js';
import { SequentialResetScript } from '../baseline/sequential-script.js';
import { benchTenant, methodStats } from '../fixtures/bench-tenant.js';
import { isGraphPath, isWrite } from '../support/emulator-control.js';
import { startEmulatorProcess } from '../support/emulator-process.js';
import { machineInfo } from '../support/machine.js';
import { mapBounded } from '../../src/lib/concurrency/bounded.js';
import { report } from '../support/report.js';
import { round } from '../support/stats.js';

export interface SequentialOptions {
  readonly users: number;
  readonly latencyMs: number;
  readonly seed: number;
  readonly command: string;
}

/** In-flight messages per Functions instance, from host.json (batchSize + newBatchThreshold). */
export async function hostQueueConcurrency(): Promise<number> {
  const host = JSON.parse(await readFile('host.json', 'utf8')) as {
    extensions?: { queues?: { batchSize?: number; newBatchThreshold?: number } };
  };
  const batchSize = host.extensions?.queues?.batchSize ?? 16;
  return batchSize + (host.extensions?.queues?.newBatchThreshold ?? Math.floor(batchSize / 2));
}

export async function sequentialVsEngine(options: SequentialOptions): Promise<void> {
  const machine = machineInfo();
  const emulator = await startEmulatorProcess();
  try {
    const fixture = benchTenant(demoTenant(), { users: options.users, seed: options.seed });
    const users = fixture.users.map((u) => u.userPrincipalName);
    const env = emulator.env;
    process.env.IDENTITY_ENDPOINT = env.IDENTITY_ENDPOINT;
    process.env.IDENTITY_HEADER = env.IDENTITY_HEADER;
    const credential = createGraphCredential();
    await credential.getToken(graphScopeFor(env.GRAPH_BASE_URL)); // token fetched once, outside both timings

    const prepare = async (): Promise<number> => {
      await emulator.control.loadTenant(fixture);
      await emulator.control.setThrottle('off');
      await emulator.control.setLatency(options.latencyMs);
      return (await emulator.control.requests()).lastSeq;
    };
    const graphCalls = async (since: number): Promise<{ requests: number; writes: number }> => {
      const log = (await emulator.control.requests(since)).value.filter((r) => isGraphPath(r.path));
      return { requests: log.length, writes: log.filter((r) => isWrite(r.method)).length };
    };

    // 1. The scripts' way.
    const scriptSince = await prepare();
    const script = new SequentialResetScript({ baseUrl: env.GRAPH_BASE_URL, credential });
    let t0 = performance.now();
    const scriptResults = await script.resetAll(users);
    const scriptMs = performance.now() - t0;
    const scriptCalls = await graphCalls(scriptSince);

    // 2. Our engine, same users, same starting state.
    const engineSince = await prepare();
    const graph = createGraphPort({
      baseUrl: env.GRAPH_BASE_URL,
      credential,
      maxConcurrency: 16,
      maxWaitMs: 30_000,
    });
    const engine = createResetEngine({ graph, protectedUsers: [], protectedGroupIds: [] });
    const concurrency = await hostQueueConcurrency();
    t0 = performance.now();
    const engineResults: ResetResult[] = await mapBounded(users, concurrency, (user) =>
      engine.reset(user, defaultResetOptions),
    );
    const engineMs = performance.now() - t0;
    const engineCalls = await graphCalls(engineSince);

    const byOutcome = (results: readonly ResetResult[]): Record<string, number> =>
      results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
    const scriptLeft = scriptResults.filter((r) => r.remaining > 0).length;
    await report({
      bench: 'sequential-vs-engine',
      command: options.command,
      machine,
      settings: {
        users: options.users,
        latencyMsPerCall: options.latencyMs,
        throttle: 'off',
        fixture: methodStats(fixture),
        engineConcurrentResets: concurrency,
        graphMaxConcurrency: 16,
      },
      figures: {
        scriptWallS: round(scriptMs / 1000, 2),
        engineWallS: round(engineMs / 1000, 2),
        'script/engine wall-time ratio': round(scriptMs / engineMs, 1),
        scriptGraphRequests: scriptCalls.requests,
        scriptGraphWrites: scriptCalls.writes,
        engineGraphRequests: engineCalls.requests,
        engineGraphWrites: engineCalls.writes,
        scriptUsersLeftWithMethods: scriptLeft,
        scriptMethodsLeft: scriptResults.reduce((n, r) => n + r.remaining, 0),
        engineOutcomes: byOutcome(engineResults),
        engineMethodsLeft: engineResults.reduce(
          (n, r) => n + r.methodsRemaining.filter((m) => m.type !== 'password').length,
          0,
        ),
      },
      notes: [
        'The engine does more Graph work per user than the script (resolve, guard, default lookup, verify, revoke sessions).',
      ],
    });
  } finally {
    await emulator.stop();
  }
}
