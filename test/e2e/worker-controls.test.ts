// The worker's brakes, end to end: the kill switch (no Graph call, items wait on the queue, never poisoned) and a
// long Graph throttle (the item is re-queued with the delay Graph asked for, without burning its dequeue count).
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { telemetryMetrics } from '../../src/lib/telemetry/index.js';
import {
  enqueueStoredReset,
  startStack,
  until,
  type StackOptions,
  type TestStack,
  finalItem,
} from './support/stack.js';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: StackOptions): Promise<TestStack> {
  stack = await startStack({ mode: 'worker', ...options });
  return stack;
}

describe('worker controls', () => {
  it('KILL_SWITCH=true: no Graph call, the item stays queued and its message keeps coming back, never to poison', async () => {
    const s = await start({ env: { KILL_SWITCH: 'true' }, compose: { worker: { killSwitchDelaySeconds: 1 } } });
    const request = await enqueueStoredReset(s, DEMO_USERS.plain);
    // More deliveries than maxDequeueCount (5) would allow if each counted as a failure.
    await until(
      () => s.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'kill_switch' }) >= 6,
      'six kill-switch deferrals',
      20_000,
    );
    const item = await s.app.store.getItem(request.id, 0);
    expect(item?.status).toBe('queued');
    expect(item?.attempts).toBe(0);
    expect(await s.emulator.requests()).toEqual([]);
    const items = s.harness.listeners.find((l) => l.queueName === 'reset-items');
    expect(items?.stats).toMatchObject({ failed: 0, poisoned: 0 });
  });

  it('a Retry-After beyond GRAPH_MAX_WAIT_SECONDS defers the item on the queue; it completes once Graph recovers', async () => {
    const s = await start({ env: { GRAPH_MAX_WAIT_SECONDS: '1' } });
    await s.emulator.setFaults({ seed: 7, rates: { '429': 1 }, retryAfter: 3 });
    const request = await enqueueStoredReset(s, DEMO_USERS.defaultPush);
    await until(() => s.telemetry.total(telemetryMetrics.graphThrottled) >= 1, 'a throttling deferral');
    expect((await s.app.store.getItem(request.id, 0))?.status).toBe('queued');
    await s.emulator.setFaults(null);
    const item = await finalItem(s.app.store, request.id, 'the item to complete');
    expect(item.outcome).toBe('reset');
    expect(s.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'throttled' })).toBeGreaterThanOrEqual(1);
    const items = s.harness.listeners.find((l) => l.queueName === 'reset-items');
    expect(items?.stats).toMatchObject({ failed: 0, poisoned: 0 });
    const audit = await s.app.store.listAudit(request.id);
    expect(audit.filter((a) => a.eventType === 'ResetCompleted')).toHaveLength(1);
  });
});
