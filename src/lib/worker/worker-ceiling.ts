// The worker's own limit on users started per 60 minutes (WORKER_MAX_USERS_PER_HOUR), kept in a table only the worker
// can write (the audit account's; the intake has no role there). The intake's quotas and breaker live in the data
// table, which the intake can write: a flood forged around them, or with them reset, stops here too.
//
// Counting every item on one row would make every claim contend on one ETag; each instance instead reserves a small
// block of starts and spends it locally, so a row write happens once per block. What an instance holds when it stops
// is never given back: the ceiling errs on the side of fewer resets, by at most a block per instance.
import { secondsUntil } from '../guardrails/sliding-window.js';
import type { WindowCounters } from '../guardrails/window-counters.js';

export type CeilingVerdict =
  | { readonly admitted: true }
  /** Over the ceiling: retry in this many seconds; `firstRefusal` once per 60 minutes, for the alert. */
  | { readonly admitted: false; readonly retryAfterSeconds: number; readonly firstRefusal: boolean };

export interface WorkerCeiling {
  /** One more user about to be reset: admitted, or the time until the window has room. */
  admit(now: Date): Promise<CeilingVerdict>;
}

export const WORKER_CEILING_ROW = 'worker|users';
/** The worker's own table (in the audit account, which the intake has no role on). */
export const WORKER_GUARD_TABLE = 'workerguard';

export interface WorkerCeilingOptions {
  readonly counters: WindowCounters;
  /** Users started in any 60 minutes, across every worker instance. */
  readonly limit: number;
  /** Starts reserved per row write (default 8, never more than the limit). */
  readonly blockSize?: number;
}

export function createWorkerCeiling(options: WorkerCeilingOptions): WorkerCeiling {
  const { counters, limit } = options;
  const block = Math.max(1, Math.min(options.blockSize ?? 8, limit));
  let held = 0;
  // Reservations are made one at a time per instance, so concurrent items do not each reserve a block.
  let reserving: Promise<void> = Promise.resolve();

  const reserve = async (now: Date): Promise<CeilingVerdict> => {
    for (const amount of block > 1 ? [block, 1] : [1]) {
      const added = await counters.tryAdd(now, [{ rowKey: WORKER_CEILING_ROW, amount, limit }]);
      if (added.added) {
        held += amount;
        return { admitted: true };
      }
      if (amount === 1) {
        const retryAfterSeconds = added.fitsAt ? secondsUntil(added.fitsAt, now) : 3600;
        const firstRefusal = await counters.markTripped(WORKER_CEILING_ROW, now);
        return { admitted: false, retryAfterSeconds, firstRefusal };
      }
    }
    throw new Error('unreachable');
  };

  return {
    admit(now) {
      const turn = reserving.then(async (): Promise<CeilingVerdict> => {
        if (held === 0) {
          const verdict = await reserve(now);
          if (!verdict.admitted) return verdict;
        }
        held -= 1;
        return { admitted: true };
      });
      reserving = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn;
    },
  };
}
