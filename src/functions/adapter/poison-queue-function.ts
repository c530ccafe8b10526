// The prelude of the poison functions: queueFunction (invalid bodies dropped), plus a bound on their own retries. The
// host gives a "-poison" queue no poison queue, so a poison function that throws would see its message again after
// every receive visibility until the message expires, silently. Each failure here raises PoisonHandlerFailed; the
// last allowed attempt parks the message on the dead-letter queue, raises MessageDeadLettered (alerts query both:
// infra/modules/alerts.bicep) and returns, so the host deletes the message.
import {
  poisonHandlerAttempts,
  type DeadLetterEntry,
  type MessageParseResult,
  type ResetQueue,
} from '../../lib/queue/index.js';
import { telemetryEvents } from '../../lib/telemetry/index.js';
import type { StorageQueueHandler } from './functions-types.js';
import { queueFunction, type QueueFunctionSpec, type QueueInvocation } from './queue-function.js';

export interface PoisonFunctionSpec extends QueueFunctionSpec {
  /** Where a message goes after its last attempt (the worker's queue adapter). */
  readonly queue: Pick<ResetQueue, 'deadLetter'>;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

export function poisonQueueFunction<M extends DeadLetterEntry['message']>(
  spec: PoisonFunctionSpec,
  parse: (entry: unknown) => MessageParseResult<M>,
  handle: (message: M, invocation: QueueInvocation) => Promise<unknown>,
): StorageQueueHandler {
  return queueFunction(spec, parse, async (message, invocation) => {
    try {
      return await handle(message, invocation);
    } catch (error) {
      // Without a dequeue count (never in Azure) treat the delivery as the first: the host retries.
      const attempt = invocation.dequeueCount ?? 1;
      const where = { queue: spec.queueName, requestId: message.requestId, attempt, error: errorName(error) };
      spec.telemetry.trackEvent(telemetryEvents.poisonHandlerFailed, where);
      if (attempt < poisonHandlerAttempts) {
        invocation.log.warn('poison_handler_failed', where);
        throw error;
      }
      await deadLetter(spec, message, invocation, where);
      return undefined;
    }
  });
}

type Where = { readonly queue: string; readonly requestId: string; readonly attempt: number; readonly error: string };

async function deadLetter(
  spec: PoisonFunctionSpec,
  message: DeadLetterEntry['message'],
  invocation: QueueInvocation,
  where: Where,
): Promise<void> {
  const entry: DeadLetterEntry = {
    v: 1,
    queue: spec.queueName,
    message,
    attempts: where.attempt,
    error: where.error,
    at: new Date().toISOString(),
  };
  let parked = false;
  let parkError: string | undefined;
  if (spec.queue.deadLetter) {
    try {
      await spec.queue.deadLetter(entry);
      parked = true;
    } catch (error) {
      // Storage refused the dead letter too: the event and the line below are then all that is left of the message.
      parkError = errorName(error);
    }
  }
  const fields = { ...where, parked, parkError };
  spec.telemetry.trackEvent(telemetryEvents.messageDeadLettered, fields);
  invocation.log.error('message_dead_lettered', fields);
}
