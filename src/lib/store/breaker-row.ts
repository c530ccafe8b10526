// The tenant-wide circuit breaker's latch: one row in the state table (partition `control`, beside the kill switch),
// opened by the intake when every caller together goes over the tenant limit, closed only by an operator.

import type { BreakerState } from '../domain/index.js';
import { closedBreaker } from '../domain/index.js';
import { isRace, MAX_RACE_RETRIES, nowIso, raceBackoff, type TableContext } from './table-context.js';

const PARTITION = 'control';
const ROW = 'breaker';

const text = (row: Record<string, unknown>, key: string): Record<string, string> =>
  typeof row[key] === 'string' ? { [key]: row[key] } : {};

function stateOf(row: Record<string, unknown> | undefined): BreakerState {
  if (!row) return closedBreaker;
  return {
    open: row.open === true,
    ...text(row, 'trippedAt'),
    ...text(row, 'kind'),
    ...(typeof row.limit === 'number' ? { limit: row.limit } : {}),
    ...text(row, 'resetAt'),
    ...text(row, 'resetBy'),
    ...text(row, 'resetReason'),
  };
}

export async function getBreaker(ctx: TableContext): Promise<BreakerState> {
  return stateOf(await ctx.getEntity(PARTITION, ROW));
}

/** Opens the breaker unless it is open already; true only for the call that opened it. */
export async function tripBreaker(ctx: TableContext, trip: { kind: string; limit: number }): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const row = await ctx.getEntity(PARTITION, ROW);
    if (row?.open === true) return false;
    const next = { partitionKey: PARTITION, rowKey: ROW, open: true, trippedAt: nowIso(ctx), ...trip };
    try {
      if (row) await ctx.client.updateEntity(next, 'Replace', { etag: String(row.etag) });
      else await ctx.client.createEntity(next);
      return true;
    } catch (e) {
      if (!isRace(e)) throw e;
      await raceBackoff(attempt);
    }
  }
  throw new Error('circuit breaker: too many concurrent updates');
}

/** Closes the breaker, keeping when it tripped for the record. */
export async function resetBreaker(ctx: TableContext, by: string, reason: string): Promise<BreakerState> {
  const row = await ctx.getEntity(PARTITION, ROW);
  const next = {
    partitionKey: PARTITION,
    rowKey: ROW,
    open: false,
    ...(row && typeof row.trippedAt === 'string' ? { trippedAt: row.trippedAt } : {}),
    resetAt: nowIso(ctx),
    resetBy: by,
    resetReason: reason,
  };
  await ctx.client.upsertEntity(next, 'Replace');
  return stateOf(next);
}
