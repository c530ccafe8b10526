// Completion callbacks on the request row (columns cb*): noticing that a request became final, and the delivery's
// attempt counter. Whether a request is final comes from the chunks' outcome counters, which the final transition of
// each item writes: the transition that wrote the last one sees every chunk complete. Two last transitions in two
// chunks at once both write before they read, so at least one of them sees both (both may: delivery is at least once).

import { callbackFromEntity, countsFromEntity, requestFromEntity } from './entities.js';
import { chunkCount, chunkPartition, CHUNK_SIZE, COUNTS_ROW, REQUEST_ROW, requestPartition } from './keys.js';
import type { CallbackAttemptRecord, CallbackClaim } from './ports.js';
import { getRequest, requestOwner } from './request-reads.js';
import { isRace, nowIso, type TableContext } from './table-context.js';

/**
 * Whether every item of the request is final. Starts at `firstChunk` (the one a transition just completed an item in)
 * and stops at the first chunk that is not complete: one point read per item in the usual case, every chunk once when
 * the request is done.
 */
export async function everyItemFinal(
  ctx: TableContext,
  requestId: string,
  itemCount: number,
  firstChunk = 0,
): Promise<boolean> {
  const chunks = chunkCount(itemCount);
  for (let k = 0; k < chunks; k++) {
    const c = (firstChunk + k) % chunks;
    const expected = Math.min(CHUNK_SIZE, itemCount - c * CHUNK_SIZE);
    const row = await ctx.getEntity(chunkPartition(requestId, c), COUNTS_ROW);
    if (countsFromEntity(row).final < expected) return false;
  }
  return chunks > 0;
}

/** After an item of `chunk` became final: when that made a request with a callback final, hand it on. */
export async function afterItemFinal(ctx: TableContext, requestId: string, chunk: number): Promise<void> {
  if (!ctx.onRequestFinal) return;
  const owner = await requestOwner(ctx, requestId);
  if (!owner.callback || !owner.itemCount) return;
  if (await everyItemFinal(ctx, requestId, owner.itemCount, chunk)) await ctx.onRequestFinal(requestId);
}

export async function noticeIfFinal(ctx: TableContext, requestId: string): Promise<boolean> {
  // Called for every redelivered final item: a request known to have no callback costs no read.
  if (!ctx.onRequestFinal || ctx.owners.get(requestId)?.callback === false) return false;
  const request = await getRequest(ctx, requestId);
  const callback = request?.callback;
  if (!request || !callback || callback.status !== 'pending' || callback.attempts > 0) return false;
  if (!(await everyItemFinal(ctx, requestId, request.itemCount))) return false;
  await ctx.onRequestFinal(requestId);
  return true;
}

export async function claimCallback(
  ctx: TableContext,
  requestId: string,
  attempt: number,
  claimSeconds: number,
): Promise<CallbackClaim> {
  const entity = await ctx.getEntity(requestPartition(requestId), REQUEST_ROW);
  const callback = entity ? callbackFromEntity(entity) : undefined;
  if (!entity || !callback) return { claimed: false, reason: 'missing' };
  if (callback.status !== 'pending') return { claimed: false, reason: 'done' };
  // Attempt n is new while n attempts were made; it is under way (or its sender crashed) while the counter says n+1
  // and the hold was not cleared by recording its outcome. Anything else is a copy of an attempt already made.
  const underWay = callback.attempts === attempt + 1 && callback.claimUntil !== undefined;
  if (callback.attempts !== attempt && !underWay) return { claimed: false, reason: 'stale' };
  const now = ctx.now();
  if (callback.claimUntil && Date.parse(callback.claimUntil) > now.getTime()) {
    return { claimed: false, reason: 'busy', claimUntil: callback.claimUntil };
  }
  // A new attempt, or one whose sender's hold ran out (it crashed before recording): this sender makes it.
  const at = now.toISOString();
  const claimUntil = new Date(now.getTime() + claimSeconds * 1000).toISOString();
  const patch = {
    partitionKey: entity.partitionKey,
    rowKey: entity.rowKey,
    cbAttempts: attempt + 1,
    cbLastAttemptAt: at,
    cbClaimUntil: claimUntil,
  };
  try {
    await ctx.client.updateEntity(patch, 'Merge', { etag: String(entity.etag) });
  } catch (e) {
    // Another copy of the message claimed it first (or another writer moved the row): that copy calls.
    if (isRace(e)) return { claimed: false, reason: 'busy', claimUntil };
    throw e;
  }
  const request = requestFromEntity({ ...entity, ...patch });
  return {
    claimed: true,
    request: { ...request, callback: { ...callback, attempts: attempt + 1, lastAttemptAt: at, claimUntil } },
  };
}

export async function recordCallback(
  ctx: TableContext,
  requestId: string,
  record: CallbackAttemptRecord,
): Promise<void> {
  // Unconditional: only the holder of the attempt writes these columns, and other writers of the row (the status
  // read caching its counts) touch none of them.
  await ctx.client.updateEntity(
    {
      partitionKey: requestPartition(requestId),
      rowKey: REQUEST_ROW,
      cbStatus: record.status,
      cbClaimUntil: '',
      // 0: no answer this time (timeout, network error); a Merge cannot remove the previous attempt's code.
      cbLastStatusCode: record.statusCode ?? 0,
      cbUpdatedAt: nowIso(ctx),
    },
    'Merge',
  );
}
