export { expandBatch, type ExpandBatchDeps } from './expand-batch.js';
export { processItem, type ItemInvocation, type ProcessItemDeps, type ProcessItemResult } from './process-item.js';
export { quarantineBatch, quarantineItem, type PoisonDeps } from './poison-items.js';
export { resubmitUnenqueued, type ResubmitDeps } from './resubmit-unenqueued.js';
export { workLog, type LineLogger, type WorkLog, type WorkLogFields } from './work-log.js';
export { expireLapsedApprovals } from './expire-approvals.js';
