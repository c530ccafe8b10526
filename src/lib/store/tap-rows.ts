// The Temporary Access Pass rows. A pass lives in its item's partition (row `tap|{index}`), encrypted for the intake
// (src/lib/tap/tap-envelope.ts), until its submitter reads it once or its lifetime ends; then the ciphertext is
// erased by an ETag-conditional write, in the same transaction as its audit row. An index partition (`tapexpiry`,
// rows `{expiresAt}|{requestId}|{index}`) lets the sweeper find passes whose lifetime ended without a table scan.
// Audit rows carry the pass's terms only, never its value.
import type { TransactionAction } from '@azure/data-tables';
import type { Requester } from '../domain/index.js';
import { tapExpiresAt } from '../domain/index.js';
import { isTapEnvelope, type TapEnvelope } from '../tap/tap-envelope.js';
import { auditEvent } from './audit-log.js';
import { auditToEntity } from './entities.js';
import { itemPartition, odataString } from './keys.js';
import type { AuditEventType } from './ports.js';
import type { NewStoredTap, StoredTap } from './tap-ports.js';
import { getItem, requestOwner } from './request-reads.js';
import { isRace, nowIso, statusOf, type TableContext } from './table-context.js';

const TAP_EXPIRY_PARTITION = 'tapexpiry';
const tapRow = (index: number): string => `tap|${String(index).padStart(7, '0')}`;
const expiryRow = (expiresAt: string, requestId: string, index: number): string =>
  `${expiresAt}|${requestId}|${String(index).padStart(7, '0')}`;

function tapFromEntity(e: Record<string, unknown>): StoredTap | undefined {
  const str = (k: string): string | undefined => (typeof e[k] === 'string' ? e[k] : undefined);
  const state = str('state');
  if (state !== 'sealed' && state !== 'revealed' && state !== 'expired') return undefined;
  let envelope: TapEnvelope | undefined;
  const raw = str('envelope');
  if (raw) {
    const parsed: unknown = JSON.parse(raw);
    if (isTapEnvelope(parsed)) envelope = parsed;
  }
  return {
    requestId: str('requestId') ?? '',
    index: typeof e.index === 'number' ? e.index : -1,
    state,
    ...(envelope ? { envelope } : {}),
    startDateTime: str('startDateTime') ?? '',
    lifetimeMinutes: typeof e.lifetimeMinutes === 'number' ? e.lifetimeMinutes : 0,
    isUsableOnce: e.isUsableOnce === true,
    expiresAt: str('expiresAt') ?? '',
    issuedAt: str('issuedAt') ?? '',
    ...(str('revealedAt') ? { revealedAt: str('revealedAt') } : {}),
    ...(str('erasedAt') ? { erasedAt: str('erasedAt') } : {}),
    etag: str('etag') ?? '',
  };
}

async function auditRowFor(
  ctx: TableContext,
  requestId: string,
  index: number,
  type: AuditEventType,
  tap: Pick<StoredTap, 'lifetimeMinutes' | 'isUsableOnce' | 'startDateTime'>,
  correlationId?: string,
  actor?: Requester,
): Promise<TransactionAction> {
  const owner = await requestOwner(ctx, requestId);
  const item = await getItem(ctx, requestId, index);
  const id = correlationId ?? owner.correlationId;
  const event = auditEvent(
    ctx,
    type,
    {
      id: requestId,
      requester: owner.requester,
      ticket: item?.ticket ?? '',
      ...(item?.requestedBy ? { requestedBy: item.requestedBy } : {}),
      ...(id ? { correlationId: id } : {}),
    },
    {
      item: index,
      ...(item?.userId ? { target: { key: item.userKey, objectId: item.userId } } : {}),
      tap: { lifetimeMinutes: tap.lifetimeMinutes, isUsableOnce: tap.isUsableOnce, startDateTime: tap.startDateTime },
      ...(actor ? { actor } : {}),
    },
  );
  return ['create', auditToEntity(itemPartition(requestId, index), event)];
}

/** Stores an issued pass (replacing an unread one a crashed attempt left) with its `TapIssued` audit row. */
export async function saveTap(
  ctx: TableContext,
  requestId: string,
  index: number,
  tap: NewStoredTap,
  correlationId?: string,
): Promise<void> {
  await ctx.ensureTable();
  const expiresAt = tapExpiresAt(tap.startDateTime, tap.lifetimeMinutes);
  // The index row first: a pass is never stored where the sweeper cannot find it.
  await ctx.client.upsertEntity(
    { partitionKey: TAP_EXPIRY_PARTITION, rowKey: expiryRow(expiresAt, requestId, index), requestId, index },
    'Replace',
  );
  await ctx.client.submitTransaction([
    [
      'upsert',
      {
        partitionKey: itemPartition(requestId, index),
        rowKey: tapRow(index),
        kind: 'tap',
        requestId,
        index,
        state: 'sealed',
        envelope: JSON.stringify(tap.envelope),
        startDateTime: tap.startDateTime,
        lifetimeMinutes: tap.lifetimeMinutes,
        isUsableOnce: tap.isUsableOnce,
        expiresAt,
        issuedAt: nowIso(ctx),
      },
      'Replace',
    ],
    await auditRowFor(ctx, requestId, index, 'TapIssued', tap, correlationId),
  ]);
}

export async function getTap(ctx: TableContext, requestId: string, index: number): Promise<StoredTap | undefined> {
  const entity = await ctx.getEntity(itemPartition(requestId, index), tapRow(index));
  return entity ? tapFromEntity(entity) : undefined;
}

/** sealed → revealed or expired, only if the row is still as read; the ciphertext goes in the same write. */
export async function endTap(
  ctx: TableContext,
  tap: StoredTap,
  end: 'revealed' | 'expired',
  by?: Requester,
): Promise<boolean> {
  if (tap.state !== 'sealed' || !tap.etag) return false;
  const at = nowIso(ctx);
  const entity = {
    partitionKey: itemPartition(tap.requestId, tap.index),
    rowKey: tapRow(tap.index),
    kind: 'tap',
    requestId: tap.requestId,
    index: tap.index,
    state: end,
    startDateTime: tap.startDateTime,
    lifetimeMinutes: tap.lifetimeMinutes,
    isUsableOnce: tap.isUsableOnce,
    expiresAt: tap.expiresAt,
    issuedAt: tap.issuedAt,
    ...(end === 'revealed' ? { revealedAt: at } : {}),
    erasedAt: at,
  };
  const audit = await auditRowFor(
    ctx,
    tap.requestId,
    tap.index,
    end === 'revealed' ? 'TapRevealed' : 'TapErased',
    tap,
    undefined,
    by,
  );
  try {
    await ctx.client.submitTransaction([['update', entity, 'Replace', { etag: tap.etag }], audit]);
  } catch (e) {
    if (isRace(e) || statusOf(e) === 404) return false;
    throw e;
  }
  await dropExpiryRow(ctx, tap);
  return true;
}

async function dropExpiryRow(ctx: TableContext, tap: Pick<StoredTap, 'expiresAt' | 'requestId' | 'index'>) {
  await ctx.client
    .deleteEntity(TAP_EXPIRY_PARTITION, expiryRow(tap.expiresAt, tap.requestId, tap.index))
    .catch((e: unknown) => {
      if (statusOf(e) !== 404) throw e;
    });
}

/** The sweeper: every pass whose lifetime ended before `now`, unread, is erased (oldest first, up to `limit`). */
export async function eraseExpiredTaps(ctx: TableContext, now: Date, limit = 500): Promise<number> {
  await ctx.ensureTable();
  const filter = `PartitionKey eq ${odataString(TAP_EXPIRY_PARTITION)} and RowKey lt ${odataString(now.toISOString())}`;
  let erased = 0;
  let seen = 0;
  for await (const row of ctx.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    if (++seen > limit) break;
    const requestId = typeof row.requestId === 'string' ? row.requestId : '';
    const index = typeof row.index === 'number' ? row.index : -1;
    const tap = await getTap(ctx, requestId, index);
    // A later attempt's pass (a redelivery issued a new one) lives longer than this index row says: keep it.
    if (tap?.state === 'sealed' && Date.parse(tap.expiresAt) <= now.getTime()) {
      if (await endTap(ctx, tap, 'expired')) erased += 1;
    } else {
      // Read, erased already, or replaced by a later attempt's pass (which has its own index row).
      await ctx.client.deleteEntity(TAP_EXPIRY_PARTITION, String(row.rowKey)).catch(() => undefined);
    }
  }
  return erased;
}
