// Cancelling a request: the request row records it first (so no worker starts another of its items), then every
// item not started ends `cancelled`, chunk by chunk. Items a worker holds, or whose writes began, finish their user.
// The same item transition ends an item `expired` when it waited too long to start.

import type { TransactionAction } from '@azure/data-tables';
import { mapBounded } from '../concurrency/bounded.js';
import { endUnstartedRefusal } from '../domain/item-cancel.js';
import { withoutLease } from '../domain/item-lease.js';
import type { Requester } from '../domain/index.js';
import { auditEvent, auditTypeFor } from './audit-log.js';
import { auditToEntity, requestFromEntity } from './entities.js';
import { transition } from './item-transition.js';
import { chunkCount, REQUEST_ROW, requestPartition } from './keys.js';
import { clearHandOffMarker } from './request-intake.js';
import type { CancelResult, StoredRequest, TransitionResult, UnstartedOutcome } from './ports.js';
import { chunkItems } from './status-reads.js';
import { isRace, MAX_RACE_RETRIES, nowIso, raceBackoff, type TableContext } from './table-context.js';

const ITEMS_IN_FLIGHT_PER_CHUNK = 4;

/**
 * One item → final `cancelled` or `expired` (no Graph call). Refused as `final`, or as `lost_lease` when a worker
 * holds it under a live lease or an attempt has begun its writes (that user is finished instead).
 */
export function endUnstarted(
  ctx: TableContext,
  requestId: string,
  index: number,
  outcome: UnstartedOutcome,
  correlationId?: string,
): Promise<TransitionResult> {
  return transition(ctx, requestId, index, correlationId, (item, now) => {
    const refusal = endUnstartedRefusal(item, now);
    if (refusal === 'final') return { write: false, result: { changed: false, reason: 'final', item } };
    if (refusal) return { write: false, result: { changed: false, reason: 'lost_lease', item } };
    const at = now.toISOString();
    return {
      write: true,
      next: { ...withoutLease(item), status: 'final', outcome, updatedAt: at, finishedAt: at },
      finalOutcome: outcome,
      // Never started, so nothing removed: the row says so from the item (endUnstartedRefusal keeps any item whose
      // writes began). What remains was never listed, so the row names none.
      audit: {
        eventType: auditTypeFor(outcome),
        target: { key: item.userKey },
        outcome,
        methodsRemoved: item.methodsRemoved,
      },
    };
  });
}

/** Sets `cancelledAt` once (ETag loop, audited with who asked); returns the request as it ends up. */
async function markCancelled(ctx: TableContext, requestId: string, by: Requester): Promise<StoredRequest | undefined> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const entity = await ctx.getEntity(requestPartition(requestId), REQUEST_ROW);
    if (!entity) return undefined;
    const current = requestFromEntity(entity);
    if (current.cancelledAt) return current;
    const at = nowIso(ctx);
    // A request still waiting for approval is closed too: nothing will ever be queued for it.
    const patch = {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      cancelledAt: at,
      updatedAt: at,
      ...(current.phase === 'awaiting_approval' ? { phase: 'closed' } : {}),
    };
    const audit = auditEvent(ctx, 'RequestCancelled', current, { actor: by, itemCount: current.itemCount });
    const actions: TransactionAction[] = [
      ['update', patch, 'Merge', { etag: String(entity.etag) }],
      ['create', auditToEntity(requestPartition(requestId), audit)],
    ];
    try {
      await ctx.client.submitTransaction(actions);
      return requestFromEntity({ ...entity, ...patch });
    } catch (e) {
      if (!isRace(e)) throw e;
      await raceBackoff(attempt);
    }
  }
  throw new Error(`request ${requestId}: too many concurrent updates`);
}

export async function cancelRequest(
  ctx: TableContext,
  requestId: string,
  by: Requester,
): Promise<CancelResult | undefined> {
  await ctx.ensureTable();
  const request = await markCancelled(ctx, requestId, by);
  if (!request) return undefined;
  const { ended, finishing } = await endEveryUnstarted(ctx, request, 'cancelled');
  if (request.approval && request.phase === 'closed') {
    // Its hand-off marker goes once every item has ended (the sweeper would otherwise keep looking at it).
    await clearHandOffMarker(ctx, requestId);
  }
  return { request, cancelled: ended, finishing };
}

/**
 * Ends every item of the request that never started with `outcome`. Chunks in parallel, and a few items of a chunk at
 * once: each item is its own row, and the chunk's counters are merged without a condition, so they never contend.
 */
export async function endEveryUnstarted(
  ctx: TableContext,
  request: StoredRequest,
  outcome: UnstartedOutcome,
): Promise<{ ended: number; finishing: number[] }> {
  let ended = 0;
  const finishing: number[] = [];
  const chunks = Array.from({ length: chunkCount(request.itemCount) }, (_, c) => c);
  await mapBounded(chunks, ctx.writeConcurrency, async (chunk) => {
    const open = (await chunkItems(ctx, request.id, chunk)).filter((item) => item.status !== 'final');
    await mapBounded(open, ITEMS_IN_FLIGHT_PER_CHUNK, async (item) => {
      const result = await endUnstarted(ctx, request.id, item.index, outcome, request.correlationId);
      if (result.changed) ended += 1;
      else if (result.reason === 'lost_lease') finishing.push(item.index);
    });
  });
  finishing.sort((a, b) => a - b);
  return { ended, finishing };
}
