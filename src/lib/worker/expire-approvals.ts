// The sweeper's second round: a request whose approval window ended without a decision lapses, and every item ends
// `expired` (no Graph call was ever made for them). A closing that a crash cut short is finished here too.
import type { StateStore } from '../store/ports.js';
import type { WorkLog } from './work-log.js';

export async function expireLapsedApprovals(store: StateStore, log: WorkLog): Promise<number> {
  if (!store.listLapsedApprovals || !store.decideApproval) return 0;
  let expired = 0;
  for (const request of await store.listLapsedApprovals(100)) {
    try {
      const result = await store.decideApproval(request.id, 'expired');
      if (result?.decided) {
        expired += 1;
        log.warn('approval_expired', { requestId: request.id, items: request.itemCount });
      }
    } catch (error) {
      log.error('approval_expire_failed', {
        requestId: request.id,
        error: error instanceof Error ? error.message : 'unknown',
      });
    }
  }
  return expired;
}
