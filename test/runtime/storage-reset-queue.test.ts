import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  allQueueNames,
  createStorageResetQueue,
  parseBatchMessage,
  parseItemMessage,
} from '../../src/lib/queue/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

let azurite: RunningAzurite;
let service: QueueServiceClient;

beforeAll(async () => {
  azurite = await startTestAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => {
  await azurite.stop();
});
beforeEach(async () => {
  for (const name of allQueueNames) await service.getQueueClient(name).deleteIfExists();
});

async function drain(queue: QueueClient): Promise<{ body: unknown; expiresOn: Date }[]> {
  const all: { body: unknown; expiresOn: Date }[] = [];
  if (!(await queue.exists())) return all;
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) return all;
    for (const m of receivedMessageItems) {
      all.push({ body: JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')), expiresOn: m.expiresOn });
    }
  }
}

describe('StorageResetQueue', () => {
  it('creates every queue (poison twins included) on request, and sends a small request as item messages in base64', async () => {
    const queue = createStorageResetQueue({ service, directLimit: 10, itemsPerBatch: 4 });
    await queue.ensureQueues();
    await queue.submit('req-1', 3);

    for (const name of allQueueNames) expect(await service.getQueueClient(name).exists()).toBe(true);
    const items = await drain(service.getQueueClient('reset-items'));
    expect(items.map((m) => m.body)).toEqual(
      expect.arrayContaining([0, 1, 2].map((item) => ({ v: 1, requestId: 'req-1', item }))),
    );
    expect(items).toHaveLength(3);
    // Messages never expire: a deferred item must not vanish after Storage's default 7 days.
    for (const m of items) expect(m.expiresOn.getUTCFullYear()).toBeGreaterThan(new Date().getUTCFullYear() + 100);
    expect(await drain(service.getQueueClient('reset-batches'))).toEqual([]);
  });

  it('sends a large request as batch messages that cover every item exactly once', async () => {
    const queue = createStorageResetQueue({ service, directLimit: 10, itemsPerBatch: 4 });
    await queue.submit('req-2', 11);
    const batches = (await drain(service.getQueueClient('reset-batches'))).map(
      (m) => m.body as { from: number; to: number },
    );
    expect(batches).toHaveLength(3);
    const covered = batches
      .flatMap((b) => Array.from({ length: b.to - b.from }, (_, i) => b.from + i))
      .sort((a, b) => a - b);
    expect(covered).toEqual(Array.from({ length: 11 }, (_, i) => i));
    for (const b of batches) expect(parseBatchMessage(b).ok).toBe(true);
    expect(await drain(service.getQueueClient('reset-items'))).toEqual([]);
  });

  it('enqueues a range of items with bounded parallelism', async () => {
    const queue = createStorageResetQueue({ service, parallelism: 3 });
    await queue.enqueueItems('req-3', 5, 45);
    const items = (await drain(service.getQueueClient('reset-items'))).map((m) => (m.body as { item: number }).item);
    expect(items.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 5));
  });

  it('defers an item: invisible now, visible after the delay', async () => {
    const queue = createStorageResetQueue({ service });
    await queue.deferItem('req-4', 7, 2);
    const items = service.getQueueClient('reset-items');
    expect((await items.peekMessages()).peekedMessageItems).toHaveLength(0);
    const deadline = Date.now() + 10_000;
    let seen: unknown;
    while (!seen && Date.now() < deadline) {
      const peeked = (await items.peekMessages()).peekedMessageItems[0];
      if (peeked) seen = JSON.parse(Buffer.from(peeked.messageText, 'base64').toString('utf8'));
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toEqual({ v: 1, requestId: 'req-4', item: 7 });
  });

  it('creates a missing queue on first send, and recreates one deleted behind its back', async () => {
    await createStorageResetQueue({ service }).enqueueItems('req-0', 0, 1);
    expect(await service.getQueueClient('reset-items').exists()).toBe(true);
    const queue = createStorageResetQueue({ service });
    await queue.enqueueItems('req-5', 0, 1);
    await service.getQueueClient('reset-items').delete();
    await queue.enqueueItems('req-5', 1, 2);
    const bodies = (await drain(service.getQueueClient('reset-items'))).map((m) => m.body);
    expect(bodies).toEqual([{ v: 1, requestId: 'req-5', item: 1 }]);
  });
});

describe('message parsing', () => {
  it('accepts the contract shapes as objects, JSON strings and buffers', () => {
    const body = { v: 1, requestId: 'r', item: 3 };
    expect(parseItemMessage(body)).toEqual({ ok: true, message: body });
    expect(parseItemMessage(JSON.stringify(body))).toEqual({ ok: true, message: body });
    expect(parseItemMessage(Buffer.from(JSON.stringify(body)))).toEqual({ ok: true, message: body });
    expect(parseBatchMessage({ v: 1, requestId: 'r', from: 0, to: 500 }).ok).toBe(true);
  });

  it('rejects other versions, extra keys (they would override trigger metadata), bad ranges and non-JSON', () => {
    expect(parseItemMessage({ v: 2, requestId: 'r', item: 0 }).ok).toBe(false);
    const extra = parseItemMessage({ v: 1, requestId: 'r', item: 0, id: 'x' });
    expect(extra.ok).toBe(false);
    expect(!extra.ok && extra.problem).toMatch(/id/);
    expect(parseItemMessage({ v: 1, requestId: 'r', item: -1 }).ok).toBe(false);
    expect(parseItemMessage({ v: 1, requestId: 'r', item: 1.5 }).ok).toBe(false);
    expect(parseBatchMessage({ v: 1, requestId: 'r', from: 5, to: 5 }).ok).toBe(false);
    expect(parseItemMessage('not json').ok).toBe(false);
    expect(parseItemMessage(42).ok).toBe(false);
  });
});
