// One item transition as one entity-group transaction in the item's chunk partition: the item (ETag-conditional),
// its audit row and, when the item becomes final, the chunk's outcome counter. A lost race re-reads and decides
// again, so a final item is never changed again and the counters count each item once.

import type { TransactionAction } from '@azure/data-tables';
import type { ItemOutcome } from '../domain/index.js';
import { auditEvent } from './audit-log.js';
import { auditToEntity, countsPatch, itemToEntity } from './entities.js';
import { afterItemFinal } from './callback-rows.js';
import { chunkOf, itemPartition, itemRow, REQUEST_ROW, requestPartition } from './keys.js';
import type { AuditEvent, StoredItem, TransitionResult } from './ports.js';
import { getItem, requestOwner } from './request-reads.js';
import { isRace, MAX_RACE_RETRIES, nowIso, raceBackoff, type TableContext } from './table-context.js';

/** What a transition decided on the item as it was read: leave it (with the answer), or write its next state. */
export type Decision =
  | { readonly write: false; readonly result: TransitionResult }
  | {
      readonly write: true;
      readonly next: Omit<StoredItem, 'etag'> & { etag: string };
      readonly audit: Omit<
        AuditEvent,
        'schemaVersion' | 'auditId' | 'eventTime' | 'requestId' | 'requester' | 'ticket'
      >;
      /** Set when the transition makes the item final: the chunk counters count it. */
      readonly finalOutcome?: ItemOutcome;
    };

/** Read → decide → one transaction (item + audit [+ counters]); on a lost race, again. */
export async function transition(
  ctx: TableContext,
  requestId: string,
  index: number,
  correlationId: string | undefined,
  decide: (item: StoredItem, now: Date) => Decision,
): Promise<TransitionResult> {
  const owner = await requestOwner(ctx, requestId);
  if (!owner.started) {
    // Before the first item transition of the request (never after: a crash in between must not leave a
    // transitioned item behind a request that looks untouched, whose summary skips the counters).
    await markStarted(ctx, requestId);
    owner.started = true;
  }
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const item = await getItem(ctx, requestId, index);
    if (!item) return { changed: false, reason: 'missing' };
    const decision = decide(item, ctx.now());
    if (!decision.write) return decision.result;
    const { etag: _etag, ...rest } = decision.next;
    const next = { ...rest, revision: item.revision + 1 };
    const id = correlationId ?? owner.correlationId;
    const audit = auditEvent(
      ctx,
      decision.audit.eventType,
      {
        id: requestId,
        requester: owner.requester,
        ticket: item.ticket,
        ...(item.requestedBy ? { requestedBy: item.requestedBy } : {}),
        ...(id ? { correlationId: id } : {}),
      },
      { ...decision.audit, item: index, seq: next.revision },
    );
    const partition = itemPartition(requestId, index);
    const entity = itemToEntity({ ...next, etag: '' });
    const actions: TransactionAction[] = [
      // The first transition creates the state row (a concurrent first transition gets 409 and re-reads).
      item.etag === '' ? ['create', entity] : ['update', entity, 'Replace', { etag: item.etag }],
      ['create', auditToEntity(partition, audit)],
    ];
    if (decision.finalOutcome) {
      // One property per item, merged without a condition: concurrent items of a chunk never contend.
      actions.push(['upsert', countsPatch(requestId, index, decision.finalOutcome, next.updatedAt), 'Merge']);
    }
    let response;
    try {
      response = await ctx.client.submitTransaction(actions);
      // The worker's copy to the audit record, right after the commit: one append, not awaited so the item's work
      // never waits on the audit account (appends to one request keep this process's commit order; a failure or a
      // process ending first is left to reconcile, which ships every table row the record lacks).
      if (ctx.auditSink) void ctx.auditSink([audit]);
    } catch (e) {
      if (!isRace(e)) throw e;
      await raceBackoff(attempt);
      continue;
    }
    // A request with a completion callback: the item that made it final queues the callback (callback-rows.ts).
    if (decision.finalOutcome) await afterItemFinal(ctx, requestId, chunkOf(index));
    const etag = response.subResponses.find((r) => r.rowKey === itemRow(index))?.etag;
    const stored = etag ? { ...next, etag } : await getItem(ctx, requestId, index);
    return { changed: true, item: stored ?? { ...next, etag: '' } };
  }
  throw new Error(`item ${requestId}/${index}: too many concurrent updates`);
}

/**
 * Records the first claim of any item on the request row (status `running`); first writer wins. The row has other
 * writers (the intake confirming the hand-off races the first claim), so a lost ETag race reads again: giving up
 * would leave the request without startedAt, and its status `queued` after every item is final.
 */
async function markStarted(ctx: TableContext, requestId: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const entity = await ctx.getEntity(requestPartition(requestId), REQUEST_ROW);
    if (!entity || entity.startedAt) return;
    try {
      await ctx.client.updateEntity(
        { partitionKey: entity.partitionKey, rowKey: entity.rowKey, startedAt: nowIso(ctx) },
        'Merge',
        { etag: String(entity.etag) },
      );
      return;
    } catch (e) {
      if (!isRace(e)) throw e;
      await raceBackoff(attempt);
    }
  }
  throw new Error(`request ${requestId}: too many concurrent updates`);
}
