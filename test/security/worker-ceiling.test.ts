// The worker's own ceiling (WORKER_MAX_USERS_PER_HOUR): users started in any 60 minutes, counted in a table the intake
// cannot write, so a flood forged around the intake's quotas stops there too. Real Azurite, the emulator and the
// composed worker; dry runs and later attempts of a started item are not counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { defaultResetOptions, type ResetOptions } from '../../src/lib/domain/index.js';
import { createTableWindowCounters } from '../../src/lib/guardrails/index.js';
import { createTableClient } from '../../src/lib/store/index.js';
import { telemetryEvents, telemetryMetrics } from '../../src/lib/telemetry/index.js';
import { createWorkerCeiling } from '../../src/lib/worker/worker-ceiling.js';
import { processItem, type ProcessItemDeps } from '../../src/lib/worker/index.js';
import { startStack, type TestStack } from '../e2e/support/stack.js';
import { storeOneUserRequest } from '../support/stored-request.js';

let stack: TestStack;
let worker: ProcessItemDeps;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const requester = { tenantId: DEMO_TENANT_ID, appId: DEMO_APPS.servicenow.appId, identityType: 'app' } as const;

beforeAll(async () => {
  stack = await startStack({ mode: 'worker', env: { WORKER_MAX_USERS_PER_HOUR: '2' } });
  if (!stack.app.worker) throw new Error('worker deps missing');
  worker = stack.app.worker;
});
afterAll(async () => {
  await stack?.stop();
});

const stored = (user: string, options: ResetOptions = defaultResetOptions): Promise<string> =>
  storeOneUserRequest(stack.app.store, user, { requester, options });

const run = (requestId: string) =>
  processItem(worker, { v: 1, requestId, item: 0 }, { invocationId: `inv-${requestId}-${Date.now()}`, log: quiet });

describe('the worker ceiling', () => {
  it('starts at most WORKER_MAX_USERS_PER_HOUR users, defers the rest, and alerts once', async () => {
    const dryRun = await stored(DEMO_USERS.plain, { ...defaultResetOptions, dryRun: true });
    expect(await run(dryRun)).toBe('completed');

    const users = [DEMO_USERS.plain, DEMO_USERS.defaultOath, DEMO_USERS.plain, DEMO_USERS.defaultOath];
    const ids: string[] = [];
    for (const user of users) ids.push(await stored(user));
    const results: string[] = [];
    for (const id of ids) results.push(await run(id));
    expect(results).toEqual(['completed', 'completed', 'deferred_ceiling', 'deferred_ceiling']);

    const deferred = await stack.app.store.getItem(ids[2] ?? '', 0);
    expect(deferred).toMatchObject({ status: 'queued', attempts: 0 });
    expect(stack.telemetry.eventsNamed(telemetryEvents.workerCeilingReached)).toHaveLength(1);
    expect(
      stack.telemetry.metrics.filter(
        (m) => m.name === telemetryMetrics.itemsDeferred && m.dimensions.reason === 'worker_ceiling',
      ),
    ).toHaveLength(2);
  });

  it('holds across instances that reserve blocks of starts: never more than the limit in all', async () => {
    const table = () =>
      createTableWindowCounters(
        createTableClient(
          { kind: 'connectionString', connectionString: stack.azurite.connectionString },
          { tableName: 'ceilingblocks' },
        ),
      );
    const instances = [0, 1, 2].map(() => createWorkerCeiling({ counters: table(), limit: 10, blockSize: 4 }));
    const now = new Date();
    const verdicts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => instances[i % 3]?.admit(now) ?? Promise.reject(new Error('no instance'))),
    );
    const admitted = verdicts.filter((v) => v.admitted).length;
    // Each instance may hold back at most a block's remainder: 10 in all, less what they still hold.
    expect(admitted).toBeLessThanOrEqual(10);
    expect(admitted).toBeGreaterThanOrEqual(10 - 3 * 3);
    const refused = verdicts.find((v) => !v.admitted);
    expect(refused && !refused.admitted && refused.retryAfterSeconds).toBeGreaterThan(3000);
  });
});
