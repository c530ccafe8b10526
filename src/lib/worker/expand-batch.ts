// The fan-out: one `reset-batches` message becomes one `reset-items` message per item in its range. The range comes
// from a queue message, which anyone able to write the queue can forge, so it is checked against the stored request:
// only items the request really has are enqueued.
import type { ResetBatchMessage, ResetQueue } from '../queue/reset-queue.js';
import type { StateStore } from '../store/ports.js';
import type { WorkLog } from './work-log.js';

export interface ExpandBatchDeps {
  readonly store: Pick<StateStore, 'getRequest'>;
  readonly queue: Pick<ResetQueue, 'enqueueItems'>;
}

/** Enqueues the message's items that exist in the stored request; returns how many item messages were sent. */
export async function expandBatch(deps: ExpandBatchDeps, message: ResetBatchMessage, log: WorkLog): Promise<number> {
  const { requestId, from, to } = message;
  const request = await deps.store.getRequest(requestId);
  if (!request) {
    // Dropped, not thrown: a retry cannot make the request exist, and a poisoned batch would mark items failed.
    log.warn('batch_unknown_request', { requestId, from, to });
    return 0;
  }
  const end = Math.min(to, request.itemCount);
  if (end < to) log.warn('batch_range_clamped', { requestId, from, to, itemCount: request.itemCount, clampedTo: end });
  if (end <= from) return 0;
  // A retry after a partial send sends some items twice; the worker ignores copies of items already final.
  await deps.queue.enqueueItems(requestId, from, end);
  log.info('batch_expanded', { requestId, from, to: end });
  return end - from;
}
