// The poison functions bound their own retries (src/functions/adapter/poison-queue-function.ts): the host gives a
// "-poison" queue no poison queue, so without the bound a failing poison function would see its message forever. Each
// failure raises PoisonHandlerFailed and is thrown back to the host, until the last attempt parks the message on
// `reset-dead-letters` (real Azurite queue), raises MessageDeadLettered, logs an error line and returns.
import { readFileSync } from 'node:fs';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '../../dev/harness/functions-runtime.js';
import type { InvocationContext as Context } from '../../src/functions/adapter/functions-types.js';
import { resetItemsPoisonHandler } from '../../src/functions/reset-poison.js';
import {
  createStorageResetQueue,
  deadLetterQueueName,
  poisonHandlerAttempts,
  type DeadLetterEntry,
} from '../../src/lib/queue/index.js';
import type { StateStore } from '../../src/lib/store/ports.js';
import { RecordingTelemetry, telemetryEvents } from '../../src/lib/telemetry/index.js';
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

function contextWith(lines: string[], dequeueCount: number): Context {
  return new InvocationContext({
    invocationId: `inv-${dequeueCount}`,
    functionName: 'reset-items-poison',
    logHandler: (level, ...args) => lines.push(`${level} ${args.map(String).join(' ')}`),
    triggerMetadata: { dequeueCount },
  });
}

/** A store whose every call fails the way an unreachable table would. */
const brokenStore = new Proxy({} as StateStore, {
  get: () => () => Promise.reject(Object.assign(new Error('table unreachable'), { name: 'RestError' })),
});

describe('poison functions: bounded retries ending on the dead-letter queue', () => {
  it("gives as many attempts as host.json's maxDequeueCount", () => {
    const host = JSON.parse(readFileSync(new URL('../../host.json', import.meta.url), 'utf8')) as {
      extensions: { queues: { maxDequeueCount: number } };
    };
    expect(poisonHandlerAttempts).toBe(host.extensions.queues.maxDequeueCount);
  });

  it('throws back to the host before the last attempt, then dead-letters, raises the events and returns', async () => {
    const telemetry = new RecordingTelemetry();
    const queue = createStorageResetQueue({ service });
    await queue.ensureQueues();
    const handler = resetItemsPoisonHandler({ store: brokenStore, telemetry, queue });
    const body = JSON.stringify({ v: 1, requestId: 'req-dead', item: 4 });
    const lines: string[] = [];

    for (let attempt = 1; attempt < poisonHandlerAttempts; attempt++)
      await expect(handler(body, contextWith(lines, attempt))).rejects.toThrow('table unreachable');
    expect(telemetry.eventsNamed(telemetryEvents.messageDeadLettered)).toEqual([]);
    const deadLetters = service.getQueueClient(deadLetterQueueName);
    expect((await deadLetters.peekMessages()).peekedMessageItems).toEqual([]);

    await expect(handler(body, contextWith(lines, poisonHandlerAttempts))).resolves.toBeUndefined();

    const failed = telemetry.eventsNamed(telemetryEvents.poisonHandlerFailed);
    expect(failed.map((e) => e.properties.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(failed[0]?.properties).toMatchObject({
      queue: 'reset-items-poison',
      requestId: 'req-dead',
      error: 'RestError',
    });
    const dead = telemetry.eventsNamed(telemetryEvents.messageDeadLettered);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.properties).toMatchObject({ queue: 'reset-items-poison', attempt: 5, parked: true });

    const { receivedMessageItems } = await deadLetters.receiveMessages({ numberOfMessages: 32 });
    expect(receivedMessageItems).toHaveLength(1);
    const entry = JSON.parse(receivedMessageItems[0]?.messageText ?? '') as DeadLetterEntry;
    expect(entry).toMatchObject({
      v: 1,
      queue: 'reset-items-poison',
      message: { v: 1, requestId: 'req-dead', item: 4 },
      attempts: 5,
      error: 'RestError',
    });
    expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(lines.filter((l) => l.startsWith('warning '))).toHaveLength(4);
    expect(lines.filter((l) => l.startsWith('error '))).toEqual([
      expect.stringMatching(/"event":"message_dead_lettered"/),
    ]);
    // Ids and codes only: the error's message (which could carry anything) is in no event and no line.
    expect(JSON.stringify([lines, telemetry.events])).not.toContain('table unreachable');
  });

  it('still ends observably when the dead-letter queue refuses the message too', async () => {
    const telemetry = new RecordingTelemetry();
    const refusing = { deadLetter: () => Promise.reject(Object.assign(new Error('403'), { name: 'RestError' })) };
    const handler = resetItemsPoisonHandler({ store: brokenStore, telemetry, queue: refusing });
    const lines: string[] = [];
    await expect(
      handler(JSON.stringify({ v: 1, requestId: 'req-x', item: 0 }), contextWith(lines, poisonHandlerAttempts)),
    ).resolves.toBeUndefined();
    expect(telemetry.eventsNamed(telemetryEvents.messageDeadLettered)[0]?.properties).toMatchObject({
      parked: false,
      parkError: 'RestError',
    });
    expect(lines).toEqual([expect.stringMatching(/^error .*"message_dead_lettered".*"parked":false/)]);
  });
});
