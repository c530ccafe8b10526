// Status aggregation: a request's counts per outcome, summed from its chunks' counters (one row per 100 items, so a
// 50,000-item request is 500 point reads, and one once it is complete), and its items page by page.

import { mapBounded } from '../concurrency/bounded.js';
import { countsFromEntity, itemFromEntity, outcomeNames, rosterItems, zeroCounts } from './entities.js';
import {
  chunkCount,
  chunkPartition,
  CHUNK_SIZE,
  COUNTS_ROW,
  odataString,
  REQUEST_ROW,
  requestPartition,
  ROSTER_ROW,
} from './keys.js';
import { ITEM_PAGE_SIZE, type ItemPage, type RequestSummary, type StoredItem, type StoredRequest } from './ports.js';
import type { TableContext } from './table-context.js';

export async function getSummary(ctx: TableContext, request: StoredRequest): Promise<RequestSummary> {
  const total = request.itemCount;
  if (request.completedAt && request.finalCounts) {
    return {
      request,
      status: 'completed',
      total,
      pending: 0,
      counts: request.finalCounts,
      updatedAt: request.completedAt,
    };
  }
  if (request.phase === 'awaiting_approval') {
    return {
      request,
      status: 'awaiting_approval',
      total,
      pending: total,
      counts: zeroCounts(),
      updatedAt: request.updatedAt,
    };
  }
  if (!request.startedAt) {
    // No item has had a transition (startedAt is written before the first one): nothing to count.
    return { request, status: 'queued', total, pending: total, counts: zeroCounts(), updatedAt: request.updatedAt };
  }
  const chunks = Array.from({ length: chunkCount(total) }, (_, c) => c);
  const rows = await mapBounded(chunks, ctx.readConcurrency, (c) =>
    ctx.getEntity(chunkPartition(request.id, c), COUNTS_ROW),
  );
  const counts = zeroCounts();
  let final = 0;
  let updatedAt = request.updatedAt;
  for (const row of rows) {
    const chunk = countsFromEntity(row);
    final += chunk.final;
    for (const o of outcomeNames) counts[o] += chunk.counts[o];
    if (chunk.updatedAt && chunk.updatedAt > updatedAt) updatedAt = chunk.updatedAt;
  }
  if (request.startedAt && request.startedAt > updatedAt) updatedAt = request.startedAt;
  const pending = total - final;
  const status =
    pending === 0 && request.phase !== 'creating' ? 'completed' : request.startedAt || final > 0 ? 'running' : 'queued';
  if (status === 'completed' && !request.completedAt) {
    // Final items never change: cache the totals so later polls read one row.
    await ctx.client
      .updateEntity(
        {
          partitionKey: requestPartition(request.id),
          rowKey: REQUEST_ROW,
          completedAt: updatedAt,
          finalCounts: JSON.stringify(counts),
        },
        'Merge',
      )
      .catch(() => undefined);
  }
  return { request, status, total, pending, counts, updatedAt };
}

export async function listItems(ctx: TableContext, request: StoredRequest, page: number): Promise<ItemPage> {
  const pages = Math.max(1, Math.ceil(request.itemCount / ITEM_PAGE_SIZE));
  const chunksPerPage = ITEM_PAGE_SIZE / CHUNK_SIZE;
  const firstChunk = (page - 1) * chunksPerPage;
  const lastChunk = Math.min(firstChunk + chunksPerPage, chunkCount(request.itemCount));
  const chunks: number[] = [];
  for (let c = firstChunk; c < lastChunk; c++) chunks.push(c);
  const lists = await mapBounded(chunks, ctx.readConcurrency, (c) => chunkItems(ctx, request.id, c));
  return { items: lists.flat(), page, pageSize: ITEM_PAGE_SIZE, pages };
}

export async function* iterateItems(ctx: TableContext, request: StoredRequest): AsyncIterable<StoredItem> {
  const pages = Math.max(1, Math.ceil(request.itemCount / ITEM_PAGE_SIZE));
  for (let page = 1; page <= pages; page++) {
    const { items } = await listItems(ctx, request, page);
    yield* items;
  }
}

/** The chunk's items: the roster, overlaid with the state rows of items that have had a transition. */
export async function chunkItems(ctx: TableContext, requestId: string, chunk: number): Promise<StoredItem[]> {
  await ctx.ensureTable();
  let roster: Record<string, unknown> | undefined;
  const stored = new Map<number, StoredItem>();
  const rows = ctx.client.listEntities<Record<string, unknown>>({
    // Item row keys are digits (sort before 'a'); counters and audit rows are skipped.
    queryOptions: {
      filter: `PartitionKey eq ${odataString(chunkPartition(requestId, chunk))} and (RowKey lt 'a' or RowKey eq '${ROSTER_ROW}')`,
    },
  });
  for await (const row of rows) {
    if (row.rowKey === ROSTER_ROW) roster = row;
    else {
      const item = itemFromEntity(row);
      stored.set(item.index, item);
    }
  }
  const base = roster ? rosterItems(requestId, roster) : [];
  return base.map((item) => stored.get(item.index) ?? item);
}
