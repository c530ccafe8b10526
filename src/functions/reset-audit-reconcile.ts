// Timer function `reset-audit-reconcile` (worker side): ships into the audit record every table audit row it lacks,
// for the requests whose rows changed since the last pass — the intake's events (received, approval, cancel, lapse)
// of requests no worker ever picked up, and rows a crash left between a commit and its append.
import type { AuditShipper } from '../lib/audit-record/index.js';
import { workLog } from '../lib/worker/index.js';
import type { InvocationContext, TimerHandler } from './adapter/functions-types.js';

/** Every 30 seconds, at seconds 15 and 45 (NCRONTAB, six fields): off the sweeper's second 30. */
export const resetAuditReconcileFunction = { name: 'reset-audit-reconcile', schedule: '15,45 * * * * *' } as const;

export const resetAuditReconcileHandler =
  (shipper: Pick<AuditShipper, 'reconcileChanged'>): TimerHandler =>
  async (_timer: unknown, context: InvocationContext): Promise<void> => {
    const log = workLog(context);
    try {
      const pass = await shipper.reconcileChanged();
      if (pass.appended > 0 || pass.failed > 0) log.info('audit_reconciled', pass);
    } catch (error) {
      log.error('audit_reconcile_failed', { error: error instanceof Error ? error.name : 'unknown' });
    }
  };
