// The end of the line for a message whose poison handler kept failing. The Functions host gives a poison queue no
// poison queue of its own (a queue whose name ends in "-poison" gets none), and after a failure it leaves the message
// invisible for the receive visibility and hands it out again, without end until the message expires. So the poison
// functions stop themselves: on their last attempt they write the message here, raise an event, and succeed.
import type { ResetBatchMessage, ResetCallbackMessage, ResetItemMessage } from './reset-queue.js';

/** Provisioned by infra/ next to the work queues; the worker may only send to it, operators may read it. */
export const deadLetterQueueName = 'reset-dead-letters';

/**
 * Attempts a poison function makes before dead-lettering: host.json's extensions.queues.maxDequeueCount (5), so a
 * poison message gets as many tries as a work message did (a test keeps the two equal).
 */
export const poisonHandlerAttempts = 5;

/** Body of a `reset-dead-letters` message: ids and codes only (the work messages are pointers, never user data). */
export interface DeadLetterEntry {
  readonly v: 1;
  /** The poison queue the message came from, e.g. `reset-items-poison`. */
  readonly queue: string;
  /** The message as the poison function parsed it. */
  readonly message: ResetBatchMessage | ResetItemMessage | ResetCallbackMessage;
  /** Deliveries of the message on the poison queue. */
  readonly attempts: number;
  /** The last failure's error name (never its message: that can carry anything). */
  readonly error: string;
  /** ISO 8601. */
  readonly at: string;
}

export interface DeadLetterQueue {
  deadLetter(entry: DeadLetterEntry): Promise<void>;
}
