// The port through which the intake hands work to the queues and the worker defers an item.
// Messages are pointers into the stored request, never the source of truth (DESIGN §1).
import type { DeadLetterEntry } from './dead-letter.js';

/** Body of a `reset-batches` message: items [from, to) of one request, expanded by the fan-out function. */
export interface ResetBatchMessage {
  readonly v: 1;
  readonly requestId: string;
  readonly from: number;
  readonly to: number;
}

/** Body of a `reset-items` message: one item (one user) of one request. */
export interface ResetItemMessage {
  readonly v: 1;
  readonly requestId: string;
  readonly item: number;
}

/**
 * Body of a `reset-callbacks` message: deliver the request's completion callback. `attempt` (0-based, absent for the
 * first) is the attempt this message is for: a copy for an attempt already made is dropped.
 */
export interface ResetCallbackMessage {
  readonly v: 1;
  readonly requestId: string;
  readonly attempt?: number;
}

export const queueNames = {
  batches: 'reset-batches',
  items: 'reset-items',
  callbacks: 'reset-callbacks',
} as const;

export interface ResetQueue {
  /** Queues every item of a stored request: small requests as item messages, large ones as batch messages to fan out. */
  submit(requestId: string, itemCount: number): Promise<void>;
  /** Sends item messages for items [from, to) of a request (used by the fan-out function). */
  enqueueItems(requestId: string, from: number, to: number): Promise<void>;
  /** Puts one item back on the queue, invisible for `delaySeconds` (throttling waits, the kill switch). */
  deferItem(requestId: string, item: number, delaySeconds: number): Promise<void>;
  /** Queues attempt `attempt` of the request's completion callback, invisible for `delaySeconds`. */
  enqueueCallback?(requestId: string, attempt: number, delaySeconds: number): Promise<void>;
  /** Parks a message whose poison function gave up (dead-letter.ts). */
  deadLetter?(entry: DeadLetterEntry): Promise<void>;
}
