// The state store on Azure Tables (see keys.ts for the row layout), assembled from one module per use:
//   request-intake.ts      intake and idempotency (create once per key, resume an abandoned creation, hand-off)
//   request-reads.ts       point reads of a request or an item
//   status-reads.ts        status aggregation (per-chunk counters) and item pages
//   item-leases.ts         the item lease state machine (rules in src/lib/domain/item-lease.ts), written atomically
//                          with its audit row by item-transition.ts
//   request-cancel.ts      cancel, and ending items that never started
//   request-approval.ts    approval decided once, lapsed approvals
//   kill-switch-row.ts, breaker-row.ts, cooldown-rows.ts   the operator's controls and the per-target cooldown
//   callback-rows.ts       completion callbacks: noticing a request became final, the delivery's attempts
//   tap-rows.ts            Temporary Access Passes: encrypted, read once, erased after their lifetime
//   audit-log.ts           the audit rows
// Everything outside src/lib/store sees only the StateStore port (ports.ts).

import type { TableClient } from '@azure/data-tables';
import type { StorageConfig } from '../config/index.js';
import { listAudit } from './audit-log.js';
import { claimItem, completeItem, failItem, releaseItem, saveProgress, saveSnapshot } from './item-leases.js';
import type { StateStore } from './ports.js';
import { createRequest, findRequestByKey, listUnenqueued, markEnqueued } from './request-intake.js';
import { getItem, getRequest, getRequestForCaller, getSealedChunk } from './request-reads.js';
import { getSummary, iterateItems, listItems } from './status-reads.js';
import { cancelRequest, endUnstarted } from './request-cancel.js';
import { getKillSwitch, setKillSwitch } from './kill-switch-row.js';
import { getBreaker, resetBreaker, tripBreaker } from './breaker-row.js';
import { lastResetOf, recordReset } from './cooldown-rows.js';
import { decideApproval, listLapsedApprovals } from './request-approval.js';
import { createTableContext, type TableStoreOptions } from './table-context.js';
import { claimCallback, noticeIfFinal, recordCallback } from './callback-rows.js';
import { endTap, eraseExpiredTaps, getTap, saveTap } from './tap-rows.js';

export type { TableStoreOptions } from './table-context.js';

/** The Azure Tables store has every optional part of the port (operator controls, approval, cooldown). */
type Complete<T> = { [K in keyof T]-?: T[K] };

export type TableStore = Complete<StateStore> & {
  readonly client: TableClient;
  /** Creates the table if missing (also done lazily on first use). */
  ensureTable(): Promise<void>;
};

/** The state store on Azure Tables; `config` may be the whole AppConfig. The table is created on first use. */
export function createTableStore(
  config: { readonly storage: StorageConfig },
  options: TableStoreOptions = {},
): TableStore {
  const ctx = createTableContext(config.storage, options);
  return {
    client: ctx.client,
    ensureTable: () => ctx.ensureTable(),
    // intake
    createRequest: (draft) => createRequest(ctx, draft),
    findRequestByKey: (key) => findRequestByKey(ctx, key),
    markEnqueued: (requestId) => markEnqueued(ctx, requestId),
    listUnenqueued: (olderThanSeconds, limit) => listUnenqueued(ctx, olderThanSeconds, limit),
    // status
    getRequestForCaller: (requestId, caller) => getRequestForCaller(ctx, requestId, caller),
    getSummary: (request) => getSummary(ctx, request),
    listItems: (request, page) => listItems(ctx, request, page),
    iterateItems: (request) => iterateItems(ctx, request),
    // worker
    getRequest: (requestId) => getRequest(ctx, requestId),
    getItem: (requestId, index) => getItem(ctx, requestId, index),
    getSealedChunk: (requestId, index) => getSealedChunk(ctx, requestId, index),
    claimItem: (requestId, index, claim) => claimItem(ctx, requestId, index, claim),
    saveSnapshot: (requestId, index, owner, snapshot, correlationId) =>
      saveSnapshot(ctx, requestId, index, owner, snapshot, correlationId),
    saveProgress: (requestId, index, owner, progress, correlationId) =>
      saveProgress(ctx, requestId, index, owner, progress, correlationId),
    completeItem: (requestId, index, owner, result, correlationId) =>
      completeItem(ctx, requestId, index, owner, result, correlationId),
    releaseItem: (requestId, index, owner, note, correlationId, progress) =>
      releaseItem(ctx, requestId, index, owner, note, correlationId, progress),
    failItem: (requestId, index, error, correlationId, eventType) =>
      failItem(ctx, requestId, index, error, correlationId, eventType),
    // operator controls
    cancelRequest: (requestId, by) => cancelRequest(ctx, requestId, by),
    endUnstarted: (requestId, index, outcome, correlationId) =>
      endUnstarted(ctx, requestId, index, outcome, correlationId),
    decideApproval: (requestId, decision, by, comment) => decideApproval(ctx, requestId, decision, by, comment),
    listLapsedApprovals: (limit) => listLapsedApprovals(ctx, limit),
    getBreaker: () => getBreaker(ctx),
    tripBreaker: (trip) => tripBreaker(ctx, trip),
    resetBreaker: (by, reason) => resetBreaker(ctx, by, reason),
    lastResetOf: (userId) => lastResetOf(ctx, userId),
    recordReset: (userId, requestId) => recordReset(ctx, userId, requestId),
    getKillSwitch: () => getKillSwitch(ctx),
    setKillSwitch: (mode, reason, updatedBy) => setKillSwitch(ctx, mode, reason, updatedBy),
    // completion callbacks
    claimCallback: (requestId, attempt, claimSeconds) => claimCallback(ctx, requestId, attempt, claimSeconds),
    recordCallback: (requestId, record) => recordCallback(ctx, requestId, record),
    noticeIfFinal: (requestId) => noticeIfFinal(ctx, requestId),
    // Temporary Access Pass
    saveTap: (requestId, index, tap, correlationId) => saveTap(ctx, requestId, index, tap, correlationId),
    getTap: (requestId, index) => getTap(ctx, requestId, index),
    endTap: (tap, end, by) => endTap(ctx, tap, end, by),
    eraseExpiredTaps: (limit) => eraseExpiredTaps(ctx, ctx.now(), limit),
    // audit
    listAudit: (requestId) => listAudit(ctx, requestId),
  };
}
