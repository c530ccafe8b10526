// The sweeper: a request whose items are stored but whose queue hand-off was never confirmed (the intake crashed or
// the queue was down between the two) is submitted again. Duplicate messages are harmless: the worker ignores items
// already final and a concurrent copy never runs twice.
import type { ResetQueue } from '../queue/reset-queue.js';
import type { StateStore } from '../store/ports.js';
import { telemetryEvents, type Telemetry } from '../telemetry/telemetry.js';
import type { WorkLog } from './work-log.js';

export interface ResubmitDeps {
  readonly store: StateStore;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
  /** A request this long `accepted` without confirmation is considered stuck (the intake normally confirms in ms). */
  readonly olderThanSeconds?: number;
}

export async function resubmitUnenqueued(deps: ResubmitDeps, log: WorkLog): Promise<number> {
  const stuck = await deps.store.listUnenqueued(deps.olderThanSeconds ?? 120, 100);
  let resubmitted = 0;
  for (const request of stuck) {
    try {
      await deps.queue.submit(request.id, request.itemCount);
      await deps.store.markEnqueued(request.id);
      resubmitted += 1;
      deps.telemetry.trackEvent(telemetryEvents.requestResubmitted, {
        requestId: request.id,
        items: request.itemCount,
      });
      log.warn('request_resubmitted', { requestId: request.id, items: request.itemCount });
    } catch (error) {
      log.error('request_resubmit_failed', {
        requestId: request.id,
        error: error instanceof Error ? error.message : 'unknown',
      });
    }
  }
  return resubmitted;
}
