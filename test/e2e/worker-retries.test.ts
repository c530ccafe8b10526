// Short Graph throttling, end to end: waits within GRAPH_MAX_WAIT_SECONDS are retried inside the worker and counted
// per status. Its own file: @azure/identity caches the managed-identity token per process, so one emulator per file.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { telemetryMetrics } from '../../src/lib/telemetry/index.js';
import { enqueueStoredReset, startStack, type StackOptions, type TestStack, finalItem } from './support/stack.js';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: StackOptions = {}): Promise<TestStack> {
  stack = await startStack({ mode: 'worker', ...options });
  return stack;
}

describe('worker retries', () => {
  it('short throttling waits are absorbed in process and counted per status, without deferring the item', async () => {
    const s = await start();
    // The first two DELETEs are answered 429 with a 1 s Retry-After (within GRAPH_MAX_WAIT_SECONDS): retried in place.
    await s.emulator.setFaults({ seed: 11, sequence: [429, 429], retryAfter: 1, methods: ['DELETE'] });
    const request = await enqueueStoredReset(s, DEMO_USERS.defaultPush);
    const item = await finalItem(s.app.store, request.id, 'the item to complete');
    expect(item.error).toBeUndefined();
    expect(item.outcome).toBe('reset');
    const throttledDeletes = (await s.emulator.requests()).filter((r) => r.method === 'DELETE' && r.status === 429);
    expect(throttledDeletes).toHaveLength(2);
    expect(s.telemetry.total(telemetryMetrics.graphRetries, { status: '429', method: 'DELETE' })).toBe(
      throttledDeletes.length,
    );
    expect(s.telemetry.total(telemetryMetrics.itemsDeferred)).toBe(0);
  });
});
