// The queue triggers' shared prelude (src/functions/adapter/queue-function.ts): a body that breaks its contract is
// logged, counted and dropped (not thrown: a retry cannot fix it); a valid one reaches the handler with the
// invocation's id, dequeue count and log.
import { describe, expect, it } from 'vitest';
import { InvocationContext } from '../../dev/harness/functions-runtime.js';
import type { InvocationContext as Context } from '../../src/functions/adapter/functions-types.js';
import { queueFunction, type QueueInvocation } from '../../src/functions/adapter/queue-function.js';
import { parseItemMessage, type ResetItemMessage } from '../../src/lib/queue/index.js';
import { RecordingTelemetry, telemetryEvents } from '../../src/lib/telemetry/index.js';

function contextWith(lines: string[], dequeueCount?: number): Context {
  return new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'reset-items',
    logHandler: (level, ...args) => lines.push(`${level} ${args.map(String).join(' ')}`),
    ...(dequeueCount ? { triggerMetadata: { dequeueCount } } : {}),
  });
}

describe('queueFunction', () => {
  it('drops a body that breaks the contract: an error line and an InvalidMessage event, no handler call', async () => {
    const telemetry = new RecordingTelemetry();
    const handled: unknown[] = [];
    const handler = queueFunction({ queueName: 'reset-items', telemetry }, parseItemMessage, (message) => {
      handled.push(message);
      return Promise.resolve();
    });
    const lines: string[] = [];
    await expect(handler({ v: 1, requestId: 'r1', item: -1, id: 'x' }, contextWith(lines))).resolves.toBeUndefined();
    expect(handled).toEqual([]);
    const events = telemetry.eventsNamed(telemetryEvents.invalidMessage);
    expect(events).toHaveLength(1);
    expect(events[0]?.properties.queue).toBe('reset-items');
    expect(events[0]?.properties.problem).toMatch(/item/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error \{"event":"invalid_message","queue":"reset-items","problem":/);
  });

  it('hands a valid message to the handler with the invocation id, dequeue count and a log on the invocation', async () => {
    const telemetry = new RecordingTelemetry();
    const seen: { message: ResetItemMessage; invocation: QueueInvocation }[] = [];
    const handler = queueFunction({ queueName: 'reset-items', telemetry }, parseItemMessage, (message, invocation) => {
      seen.push({ message, invocation });
      invocation.log.info('handled', { item: message.item });
      return Promise.resolve();
    });
    const lines: string[] = [];
    await handler(JSON.stringify({ v: 1, requestId: 'r1', item: 7 }), contextWith(lines, 3));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.message).toEqual({ v: 1, requestId: 'r1', item: 7 });
    expect(seen[0]?.invocation).toMatchObject({ invocationId: 'inv-1', dequeueCount: 3 });
    expect(lines).toEqual(['information {"event":"handled","item":7}']);
    expect(telemetry.events).toEqual([]);
  });

  it('lets a handler failure through, so the host retries the message', async () => {
    const handler = queueFunction(
      { queueName: 'reset-items', telemetry: new RecordingTelemetry() },
      parseItemMessage,
      () => Promise.reject(new Error('storage down')),
    );
    await expect(handler({ v: 1, requestId: 'r1', item: 0 }, contextWith([]))).rejects.toThrow('storage down');
  });
});
