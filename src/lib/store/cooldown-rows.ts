// When each user was last reset (partition `cooldown`, row = the user's object id), for the per-target cooldown.
// Written by the worker before it records the item's outcome, so a crash in between errs on the side of the cooldown.

import type { LastReset } from '../domain/index.js';
import { nowIso, type TableContext } from './table-context.js';

const PARTITION = 'cooldown';

export async function lastResetOf(ctx: TableContext, userId: string): Promise<LastReset | undefined> {
  const row = await ctx.getEntity(PARTITION, userId.toLowerCase());
  if (!row || typeof row.at !== 'string') return undefined;
  return { at: row.at, requestId: typeof row.requestId === 'string' ? row.requestId : '' };
}

export async function recordReset(ctx: TableContext, userId: string, requestId: string): Promise<void> {
  await ctx.ensureTable();
  await ctx.client.upsertEntity(
    { partitionKey: PARTITION, rowKey: userId.toLowerCase(), at: nowIso(ctx), requestId },
    'Replace',
  );
}
