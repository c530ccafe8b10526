// The fan-out: one `reset-batches` message becomes one `reset-items` message per item in its range. The range comes
// from a queue message, which anyone able to write the queue can forge, so it is checked against the stored request:
// only items the request really has are enqueued (and, for a poisoned batch, failed: poison-items.ts).
import type { ResetBatchMessage, ResetQueue } from '../queue/reset-queue.js';
import type { StateStore } from '../store/ports.js';
import type { WorkLog } from './work-log.js';

export interface ExpandBatchDeps {
  readonly store: Pick<StateStore, 'getRequest'>;
  readonly queue: Pick<ResetQueue, 'enqueueItems'>;
}

/**
 * The part of a batch message's range [from, to) that the stored request has, or undefined when the request does not
 * exist; a range cut short is logged with the figures.
 */
export async function storedRange(
  store: Pick<StateStore, 'getRequest'>,
  message: ResetBatchMessage,
  log: WorkLog,
): Promise<{ readonly from: number; readonly to: number } | undefined> {
  const { requestId, from, to } = message;
  const request = await store.getRequest(requestId);
  if (!request) {
    log.warn('batch_unknown_request', { requestId, from, to });
    return undefined;
  }
  const end = Math.min(to, request.itemCount);
  if (end < to) log.warn('batch_range_clamped', { requestId, from, to, itemCount: request.itemCount, clampedTo: end });
  return { from, to: Math.max(from, end) };
}

/** Enqueues the message's items that exist in the stored request; returns how many item messages were sent. */
export async function expandBatch(deps: ExpandBatchDeps, message: ResetBatchMessage, log: WorkLog): Promise<number> {
  const { requestId } = message;
  // An unknown request is dropped, not thrown: a retry cannot make it exist, and a poisoned batch would fail items.
  const range = await storedRange(deps.store, message, log);
  if (!range || range.to <= range.from) return 0;
  // A retry after a partial send sends some items twice; the worker ignores copies of items already final.
  await deps.queue.enqueueItems(requestId, range.from, range.to);
  log.info('batch_expanded', { requestId, from: range.from, to: range.to });
  return range.to - range.from;
}
