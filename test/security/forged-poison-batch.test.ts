// A poisoned batch fails only the items its stored request has: a `reset-batches-poison` message whose range runs
// past the request (forged by anyone who can write the queue) fails the request's items in that range and nothing
// else, and returns at once instead of walking a billion indexes; one for a request that does not exist fails nothing.
// Real queues and table (Azurite); the message goes through the poison queue.
import { randomUUID } from 'node:crypto';
import { storeTestRequest } from '../support/stored-request.js';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '../../dev/harness/functions-runtime.js';
import { resetBatchesPoisonHandler } from '../../src/functions/reset-poison.js';
import { createStorageResetQueue } from '../../src/lib/queue/index.js';
import { createTableStore, type TableStore } from '../../src/lib/store/index.js';
import { RecordingTelemetry } from '../../src/lib/telemetry/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

let azurite: RunningAzurite;
let service: QueueServiceClient;
let store: TableStore;

beforeAll(async () => {
  azurite = await startTestAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  store = createTableStore({ storage: { kind: 'connectionString', connectionString: azurite.connectionString } });
  await createStorageResetQueue({ service, parallelism: 8 }).ensureQueues();
});
afterAll(async () => {
  await azurite?.stop();
});

const storedRequest = (users: number): Promise<string> => storeTestRequest(store, users);

/** Puts a forged body on `reset-batches-poison`, takes it off as the host would, and runs the quarantine on it. */
async function quarantineForged(body: object): Promise<{ lines: string[]; ms: number }> {
  const poison = service.getQueueClient('reset-batches-poison');
  await poison.sendMessage(Buffer.from(JSON.stringify(body), 'utf8').toString('base64'));
  const [message] = (await poison.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
  if (!message) throw new Error('the forged poison message did not reach the queue');
  const lines: string[] = [];
  const context = new InvocationContext({
    invocationId: 'inv-forged-poison',
    functionName: 'reset-batches-poison',
    logHandler: (level, ...args) => lines.push(`${level} ${args.map(String).join(' ')}`),
  });
  const handler = resetBatchesPoisonHandler({ store, telemetry: new RecordingTelemetry(), queue: {} });
  const started = Date.now();
  await handler(Buffer.from(message.messageText, 'base64').toString('utf8'), context);
  const ms = Date.now() - started;
  await poison.deleteMessage(message.messageId, message.popReceipt);
  return { lines, ms };
}

const outcomes = async (requestId: string, count: number): Promise<(string | undefined)[]> =>
  Promise.all(Array.from({ length: count }, async (_, i) => (await store.getItem(requestId, i))?.outcome));

describe('quarantine of a forged poisoned batch', () => {
  it('fails only the items the stored request has in the range, and warns with the figures', async () => {
    const requestId = await storedRequest(3);
    const { lines, ms } = await quarantineForged({ v: 1, requestId, from: 1, to: 1_000_000_000 });

    expect(await outcomes(requestId, 3)).toEqual([undefined, 'failed', 'failed']);
    expect(lines).toContain(
      `warning {"event":"batch_range_clamped","requestId":"${requestId}","from":1,"to":1000000000,"itemCount":3,"clampedTo":3}`,
    );
    expect(lines.find((l) => l.includes('"event":"batch_poisoned"'))).toContain('"from":1,"to":3,"itemsFailed":2');
    // Two items, not a billion indexes.
    expect(ms).toBeLessThan(10_000);
  });

  it('fails nothing for a range past the request, nor for a request that does not exist', async () => {
    const requestId = await storedRequest(2);
    const past = await quarantineForged({ v: 1, requestId, from: 5, to: 900_000 });
    expect(past.lines.some((l) => l.startsWith('warning {"event":"batch_range_clamped"'))).toBe(true);
    expect(await outcomes(requestId, 2)).toEqual([undefined, undefined]);
    expect((await store.listAudit(requestId)).map((a) => a.eventType)).toEqual(['RequestReceived']);

    const unknown = randomUUID();
    const { lines } = await quarantineForged({ v: 1, requestId: unknown, from: 0, to: 900_000 });
    expect(lines).toEqual([`warning {"event":"batch_unknown_request","requestId":"${unknown}","from":0,"to":900000}`]);
  });

  it('still fails every item of a genuine poisoned batch', async () => {
    const requestId = await storedRequest(4);
    const { lines } = await quarantineForged({ v: 1, requestId, from: 0, to: 4 });
    expect(await outcomes(requestId, 4)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([]);
  });
});
