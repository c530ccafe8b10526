// The prelude every queue trigger shares: log through the invocation, validate the body, and drop (log and count)
// a body that does not match its contract instead of throwing it: a retry cannot fix it, and five attempts would
// only send it to poison. The handler gets the parsed message and the invocation's id, dequeue count and log.
import type { MessageParseResult } from '../../lib/queue/messages.js';
import { telemetryEvents, type Telemetry } from '../../lib/telemetry/telemetry.js';
import { workLog, type WorkLog } from '../../lib/worker/work-log.js';
import type { InvocationContext, StorageQueueHandler } from './functions-types.js';

export interface QueueInvocation {
  /** The invocation id: each delivery of a message is a different one. */
  readonly invocationId: string;
  /** How many times the host has handed this message out (1 on the first delivery), when the host says. */
  readonly dequeueCount?: number;
  readonly log: WorkLog;
}

export interface QueueFunctionSpec {
  readonly queueName: string;
  readonly telemetry: Telemetry;
}

export function queueFunction<M>(
  spec: QueueFunctionSpec,
  parse: (entry: unknown) => MessageParseResult<M>,
  handle: (message: M, invocation: QueueInvocation) => Promise<unknown>,
): StorageQueueHandler {
  return async (entry: unknown, context: InvocationContext): Promise<void> => {
    const log = workLog(context);
    const parsed = parse(entry);
    if (!parsed.ok) {
      spec.telemetry.trackEvent(telemetryEvents.invalidMessage, { queue: spec.queueName, problem: parsed.problem });
      log.error('invalid_message', { queue: spec.queueName, problem: parsed.problem });
      return;
    }
    await handle(parsed.message, {
      invocationId: context.invocationId,
      dequeueCount: Number(context.triggerMetadata?.dequeueCount) || undefined,
      log,
    });
  };
}
