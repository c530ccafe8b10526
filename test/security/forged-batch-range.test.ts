// The fan-out trusts nothing but the stored request: a `reset-batches` message whose range runs past the request's
// items (forged by anyone who can write the queue) enqueues only the items the request has, and a message for a
// request that does not exist enqueues nothing. Real queues and table (Azurite); the message goes through the queue.
import { randomUUID } from 'node:crypto';
import { storeTestRequest } from '../support/stored-request.js';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvocationContext } from '../../dev/harness/functions-runtime.js';
import { resetBatchesHandler } from '../../src/functions/reset-batches.js';
import { allQueueNames, createStorageResetQueue, type StorageResetQueue } from '../../src/lib/queue/index.js';
import { createTableStore, type TableStore } from '../../src/lib/store/index.js';
import { RecordingTelemetry } from '../../src/lib/telemetry/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

let azurite: RunningAzurite;
let service: QueueServiceClient;
let store: TableStore;
let queue: StorageResetQueue;

beforeAll(async () => {
  azurite = await startTestAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  store = createTableStore({ storage: { kind: 'connectionString', connectionString: azurite.connectionString } });
  queue = createStorageResetQueue({ service, parallelism: 8 });
  await queue.ensureQueues();
});
afterAll(async () => {
  await azurite?.stop();
});
beforeEach(async () => {
  for (const name of allQueueNames) await service.getQueueClient(name).clearMessages();
});

const storedRequest = (users: number): Promise<string> => storeTestRequest(store, users);

async function drain(client: QueueClient): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) return bodies;
    for (const m of receivedMessageItems)
      bodies.push(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
  }
}

/** Puts a forged body on `reset-batches`, takes it off as the host would, and runs the fan-out on it. */
async function fanOutForged(body: object): Promise<string[]> {
  const batches = service.getQueueClient('reset-batches');
  await batches.sendMessage(Buffer.from(JSON.stringify(body), 'utf8').toString('base64'));
  const [message] = (await batches.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
  if (!message) throw new Error('the forged batch message did not reach the queue');
  const lines: string[] = [];
  const context = new InvocationContext({
    invocationId: 'inv-forged',
    functionName: 'reset-batches',
    logHandler: (level, ...args) => lines.push(`${level} ${args.map(String).join(' ')}`),
  });
  const handler = resetBatchesHandler({ store, queue, telemetry: new RecordingTelemetry() });
  await handler(Buffer.from(message.messageText, 'base64').toString('utf8'), context);
  await batches.deleteMessage(message.messageId, message.popReceipt);
  return lines;
}

describe('fan-out of a forged batch message', () => {
  it('enqueues only the items the stored request has, and warns with the figures', async () => {
    const requestId = await storedRequest(3);
    const lines = await fanOutForged({ v: 1, requestId, from: 1, to: 1_000_000_000 });

    const items = (await drain(service.getQueueClient('reset-items'))) as { item: number }[];
    expect(items.map((m) => m.item).sort((a, b) => a - b)).toEqual([1, 2]);
    expect(items).toEqual(expect.arrayContaining([{ v: 1, requestId, item: 1 }]));
    expect(lines).toContain(
      `warning {"event":"batch_range_clamped","requestId":"${requestId}","from":1,"to":1000000000,"itemCount":3,"clampedTo":3}`,
    );
  });

  it('enqueues nothing for a range that starts past the request, nor for a request that does not exist', async () => {
    const requestId = await storedRequest(2);
    const past = await fanOutForged({ v: 1, requestId, from: 5, to: 900_000 });
    expect(past.some((l) => l.startsWith('warning {"event":"batch_range_clamped"'))).toBe(true);

    const unknown = randomUUID();
    const lines = await fanOutForged({ v: 1, requestId: unknown, from: 0, to: 900_000 });
    expect(lines).toEqual([`warning {"event":"batch_unknown_request","requestId":"${unknown}","from":0,"to":900000}`]);
    expect(await drain(service.getQueueClient('reset-items'))).toEqual([]);
  });

  it('still expands a genuine batch in full', async () => {
    const requestId = await storedRequest(4);
    const lines = await fanOutForged({ v: 1, requestId, from: 0, to: 4 });
    const items = (await drain(service.getQueueClient('reset-items'))) as { item: number }[];
    expect(items.map((m) => m.item).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([]);
  });
});
