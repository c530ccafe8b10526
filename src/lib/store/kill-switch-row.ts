// The operator's kill switch: one row in the state table (partition `control`), read by every intake and worker
// instance through a short cache (kill-switch-cache.ts), written by PUT /api/control/kill-switch.

import { isKillSwitchMode, type KillSwitchMode, type KillSwitchState } from '../domain/index.js';
import { nowIso, type TableContext } from './table-context.js';

const PARTITION = 'control';
const ROW = 'kill-switch';

export async function getKillSwitch(ctx: TableContext): Promise<KillSwitchState> {
  await ctx.ensureTable();
  const row = await ctx.getEntity(PARTITION, ROW);
  if (!row || !isKillSwitchMode(row.mode)) return { mode: 'off' };
  return {
    mode: row.mode,
    ...(typeof row.reason === 'string' ? { reason: row.reason } : {}),
    ...(typeof row.updatedAt === 'string' ? { updatedAt: row.updatedAt } : {}),
    ...(typeof row.updatedBy === 'string' ? { updatedBy: row.updatedBy } : {}),
  };
}

export async function setKillSwitch(
  ctx: TableContext,
  mode: KillSwitchMode,
  reason: string,
  updatedBy: string,
): Promise<KillSwitchState> {
  await ctx.ensureTable();
  const state = { mode, reason, updatedAt: nowIso(ctx), updatedBy };
  await ctx.client.upsertEntity({ partitionKey: PARTITION, rowKey: ROW, ...state }, 'Replace');
  return state;
}
