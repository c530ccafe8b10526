// The dev harness against Azurite, with trivial functions: HTTP routing and the queue host's semantics.
import { HttpResponse, type InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type HarnessOptions, type RunningHarness } from '../../dev/harness/harness.js';
import { queueSettingsFrom, parseTimeSpan } from '../../dev/harness/host-settings.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

let azurite: RunningAzurite;
let service: QueueServiceClient;
let harness: RunningHarness | undefined;

beforeAll(async () => {
  azurite = await startTestAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => {
  await azurite.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freshQueue(name: string): Promise<void> {
  await service.getQueueClient(name).deleteIfExists();
  await service.getQueueClient(`${name}-poison`).deleteIfExists();
  await service.getQueueClient(name).create();
}

async function poisonBodies(name: string): Promise<string[]> {
  const poison = service.getQueueClient(`${name}-poison`);
  if (!(await poison.exists())) return [];
  return (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText);
}

function start(register: HarnessOptions['register'], extra: Partial<HarnessOptions> = {}): Promise<RunningHarness> {
  return startHarness({
    register,
    port: 0,
    settings: { AzureWebJobsStorage: azurite.connectionString },
    queueSettings: { maxPollingIntervalMs: 200, visibilityTimeoutMs: 0 },
    ...extra,
  });
}

describe('host.json reading', () => {
  it('parses TimeSpans and applies the host defaults', () => {
    expect(parseTimeSpan('00:00:30')).toBe(30_000);
    expect(parseTimeSpan('1.02:00:00.5')).toBe((26 * 3600 + 0.5) * 1000);
    expect(() => parseTimeSpan('30s')).toThrow(/TimeSpan/);
    expect(queueSettingsFrom({})).toEqual({
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: 60_000,
      messageEncoding: 'base64',
    });
    expect(() => queueSettingsFrom({ extensions: { queues: { batchSize: 64 } } })).toThrow(/batchSize/);
  });
});

describe('HTTP functions', () => {
  it('serves routes under /api with params, methods and the v4 response objects', async () => {
    harness = await start((r) => {
      r.http('get-thing', {
        methods: ['GET'],
        route: 'things/{id}',
        authLevel: 'anonymous',
        handler: (request) =>
          Promise.resolve({
            status: 202,
            headers: { 'retry-after': '5' },
            jsonBody: { id: request.params.id, q: request.query.get('q') },
          }),
      });
      r.http('post-thing', {
        methods: ['POST'],
        route: 'things',
        authLevel: 'anonymous',
        handler: async (request) =>
          new HttpResponse({ status: 201, body: `got ${(await request.text()).length} bytes` }),
      });
    });
    const get = await fetch(`${harness.url}/api/things/abc?q=1`);
    expect(get.status).toBe(202);
    expect(get.headers.get('retry-after')).toBe('5');
    expect(get.headers.get('content-type')).toMatch(/application\/json/);
    expect(await get.json()).toEqual({ id: 'abc', q: '1' });

    const post = await fetch(`${harness.url}/api/things`, { method: 'POST', body: 'hello' });
    expect(post.status).toBe(201);
    expect(await post.text()).toBe('got 5 bytes');

    expect((await fetch(`${harness.url}/api/things/abc`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${harness.url}/api/nothing`)).status).toBe(404);
  });

  it('answers 500 when a handler throws', async () => {
    harness = await start((r) =>
      r.http('boom', { methods: ['GET'], authLevel: 'anonymous', handler: () => Promise.reject(new Error('boom')) }),
    );
    expect((await fetch(`${harness.url}/api/boom`)).status).toBe(500);
  });

  it('refuses to register two functions with one name', async () => {
    await expect(
      start((r) => {
        r.http('twice', { handler: () => Promise.resolve({}) });
        r.http('twice', { handler: () => Promise.resolve({}) });
      }),
    ).rejects.toThrow(/already registered/);
  });
});

describe('queue functions', () => {
  it('decodes base64 JSON, passes trigger metadata (body keys override it, as in the host) and deletes on success', async () => {
    await freshQueue('q-ok');
    const seen: { entry: unknown; meta: Record<string, unknown> | undefined }[] = [];
    harness = await start((r) =>
      r.storageQueue('ok', {
        queueName: 'q-ok',
        connection: 'AzureWebJobsStorage',
        handler: (entry: unknown, context: InvocationContext) => {
          seen.push({ entry, meta: context.triggerMetadata });
        },
      }),
    );
    await service.getQueueClient('q-ok').sendMessage(b64({ v: 1, n: 1 }));
    await service.getQueueClient('q-ok').sendMessage(b64({ id: 'body-id' }));
    await until(() => seen.length === 2, 'two invocations');
    const first = seen.find((s) => (s.entry as { v?: number }).v === 1);
    expect(first?.entry).toEqual({ v: 1, n: 1 });
    expect(first?.meta?.dequeueCount).toBe(1);
    expect(first?.meta?.queueTrigger).toBe('{"v":1,"n":1}');
    expect(seen.find((s) => (s.entry as { id?: string }).id)?.meta?.id).toBe('body-id');
    await until(
      async () => (await service.getQueueClient('q-ok').getProperties()).approximateMessagesCount === 0,
      'empty queue',
    );
  });

  it('retries a failing function maxDequeueCount times, then moves the body to <queue>-poison', async () => {
    await freshQueue('q-fail');
    const counts: number[] = [];
    harness = await start(
      (r) =>
        r.storageQueue('fail', {
          queueName: 'q-fail',
          connection: 'AzureWebJobsStorage',
          handler: (_entry: unknown, context: InvocationContext) => {
            counts.push(Number(context.triggerMetadata?.dequeueCount));
            throw new Error('always fails');
          },
        }),
      { queueSettings: { maxPollingIntervalMs: 200, visibilityTimeoutMs: 0, maxDequeueCount: 3 } },
    );
    const body = b64({ v: 1, doomed: true });
    await service.getQueueClient('q-fail').sendMessage(body);
    expect(await until(async () => (await poisonBodies('q-fail')).at(0), 'poison message')).toBe(body);
    // The body reaches <queue>-poison before the original is deleted and the move is counted: wait for the settle.
    await until(() => (harness?.listeners[0]?.stats.poisoned === 1 ? true : undefined), 'poison settled');
    expect(counts).toEqual([1, 2, 3]);
    expect(harness.listeners[0]?.stats).toMatchObject({ invocations: 3, failed: 3, poisoned: 1 });
    expect((await service.getQueueClient('q-fail').peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  it('poisons without invoking when the message is not base64 or was dequeued too often already', async () => {
    await freshQueue('q-bad');
    const queue = service.getQueueClient('q-bad');
    await queue.sendMessage('not base64 at all!');
    // A message whose previous deliveries crashed (never settled): dequeueCount climbs past the maximum.
    await queue.sendMessage(b64({ v: 1, crashLoop: true }));
    for (let i = 0; i < 3; i++) {
      const got = await until(
        async () =>
          (await queue.receiveMessages({ numberOfMessages: 2, visibilityTimeout: 1 })).receivedMessageItems.at(0)
            ? true
            : undefined,
        'redelivery',
      );
      expect(got).toBe(true);
    }
    let invoked = 0;
    harness = await start(
      (r) =>
        r.storageQueue('bad', {
          queueName: 'q-bad',
          connection: 'AzureWebJobsStorage',
          handler: () => {
            invoked += 1;
          },
        }),
      { queueSettings: { maxPollingIntervalMs: 200, maxDequeueCount: 2 } },
    );
    const bodies = await until(async () => {
      const b = await poisonBodies('q-bad');
      return b.length === 2 ? b : undefined;
    }, 'two poison messages');
    expect(bodies).toContain('not base64 at all!');
    expect(invoked).toBe(0);
  });

  it('keeps at most batchSize + newBatchThreshold invocations in flight', async () => {
    await freshQueue('q-many');
    let peak = 0;
    let done = 0;
    const gates: (() => void)[] = [];
    harness = await start(
      (r) =>
        r.storageQueue('many', {
          queueName: 'q-many',
          connection: 'AzureWebJobsStorage',
          handler: async () => {
            await new Promise<void>((resolve) => {
              gates.push(resolve);
              peak = Math.max(peak, gates.length);
            });
            done += 1;
          },
        }),
      { queueSettings: { maxPollingIntervalMs: 200, batchSize: 2, newBatchThreshold: 1 } },
    );
    await Promise.all(Array.from({ length: 8 }, (_, i) => service.getQueueClient('q-many').sendMessage(b64({ i }))));
    try {
      // One batch of 2; 2 > threshold 1, so no new poll until one finishes.
      await until(() => gates.length === 2, 'first batch');
      gates.shift()?.();
      // 1 in flight ≤ threshold → poll again → 1 + batchSize 2 = 3 in flight, and no more.
      await until(() => gates.length === 3, 'second batch');
      const visible = await service.getQueueClient('q-many').peekMessages({ numberOfMessages: 32 });
      expect(visible.peekedMessageItems).toHaveLength(4);
    } finally {
      const releaseAll = setInterval(() => gates.splice(0).forEach((g) => g()), 20);
      await until(() => done === 8, 'all done').finally(() => clearInterval(releaseAll));
    }
    expect(peak).toBe(3);
  });

  it('renews the receive visibility while a function runs, so a long invocation is not redelivered', async () => {
    await freshQueue('q-long');
    let invocations = 0;
    let finished = false;
    harness = await start(
      (r) =>
        r.storageQueue('long', {
          queueName: 'q-long',
          connection: 'AzureWebJobsStorage',
          handler: async () => {
            invocations += 1;
            // Longer than twice the (shortened) receive visibility: without renewal the message would reappear.
            await new Promise((resolve) => setTimeout(resolve, 4_500));
            finished = true;
          },
        }),
      { queueSettings: { maxPollingIntervalMs: 200, receiveVisibilitySeconds: 2 } },
    );
    await service.getQueueClient('q-long').sendMessage(b64({ v: 1 }));
    await until(() => finished, 'the long invocation');
    await until(
      async () => (await service.getQueueClient('q-long').getProperties()).approximateMessagesCount === 0,
      'deleted',
    );
    expect(invocations).toBe(1);
    expect(harness.listeners[0]?.stats).toMatchObject({ invocations: 1, succeeded: 1, failed: 0 });
  });

  it('wakes a listener immediately when notified, instead of waiting out its backoff', async () => {
    await freshQueue('q-wake');
    let at = 0;
    harness = await start(
      (r) =>
        r.storageQueue('wake', {
          queueName: 'q-wake',
          connection: 'AzureWebJobsStorage',
          handler: () => {
            at = Date.now();
          },
        }),
      { queueSettings: { maxPollingIntervalMs: 60_000 } },
    );
    // Let the backoff grow past a few seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    const sent = Date.now();
    await service.getQueueClient('q-wake').sendMessage(b64({ v: 1 }));
    harness.notify('q-wake');
    await until(() => at > 0, 'invocation');
    expect(at - sent).toBeLessThan(1_500);
  });
});
