// Timer function `reset-sweeper`: re-submits requests whose queue hand-off was never confirmed, lets approvals
// whose window ended lapse, and erases Temporary Access Passes whose lifetime ended unread.
import { expireLapsedApprovals, resubmitUnenqueued, workLog, type ResubmitDeps } from '../lib/worker/index.js';
import type { InvocationContext, TimerHandler } from './adapter/functions-types.js';

/** Every minute, at second 30 (NCRONTAB, six fields). */
export const resetSweeperFunction = { name: 'reset-sweeper', schedule: '30 * * * * *' } as const;

export const resetSweeperHandler =
  (deps: ResubmitDeps): TimerHandler =>
  async (_timer: unknown, context: InvocationContext): Promise<void> => {
    const log = workLog(context);
    await resubmitUnenqueued(deps, log);
    await expireLapsedApprovals(deps.store, log);
    const erased = (await deps.store.eraseExpiredTaps?.()) ?? 0;
    if (erased > 0) log.info('tap_erased_unread', { count: erased });
  };
