// Intake and idempotency: storing a new request and its targets exactly once per idempotency key, taking over a
// creation that was abandoned half-way, and recording the queue hand-off (`accepted` → `enqueued`).

import { randomUUID } from 'node:crypto';
import type { TransactionAction } from '@azure/data-tables';
import { mapBounded } from '../concurrency/bounded.js';
import { auditEvent } from './audit-log.js';
import { auditToEntity, requestFromEntity, requestToEntity, rosterToEntity } from './entities.js';
import {
  chunkCount,
  CHUNK_SIZE,
  IDEMPOTENCY_ROW,
  idempotencyPartition,
  odataString,
  PENDING_PARTITION,
  REQUEST_ROW,
  requestPartition,
} from './keys.js';
import { callerOf, chunkSealText, sealedRequestFields, type NewItem } from '../domain/index.js';
import type { AuditEvent, CreateRequestResult, NewRequest, RequestPhase, StoredRequest } from './ports.js';
import { getRequest } from './request-reads.js';
import {
  isConflict,
  isRace,
  MAX_RACE_RETRIES,
  nowIso,
  raceBackoff,
  statusOf,
  type TableContext,
} from './table-context.js';

export async function createRequest(ctx: TableContext, draft: NewRequest): Promise<CreateRequestResult> {
  await ctx.ensureTable();
  const now = nowIso(ctx);
  const idemPk = idempotencyPartition(draft.idempotencyKey);
  let requestId: string = randomUUID();
  let resumed = false;
  try {
    await ctx.client.createEntity({
      partitionKey: idemPk,
      rowKey: IDEMPOTENCY_ROW,
      requestId,
      fingerprint: draft.fingerprint,
      createdAt: now,
      claimedAt: now,
    });
  } catch (e) {
    if (!isConflict(e)) throw e;
    const outcome = await arbitrate(ctx, idemPk, draft.fingerprint);
    if (outcome.kind !== 'resume' && outcome.kind !== 'renew') return outcome;
    requestId = outcome.requestId;
    resumed = outcome.kind === 'resume';
  }

  // The hand-off marker: the sweeper re-submits a request whose hand-off is unconfirmed, or expires an approval.
  const approvalExpiresAt = draft.approval
    ? new Date(ctx.now().getTime() + draft.approval.windowMs).toISOString()
    : undefined;
  await ctx.client.upsertEntity(
    {
      partitionKey: PENDING_PARTITION,
      rowKey: requestId,
      createdAt: now,
      ...(approvalExpiresAt ? { approvalExpiresAt } : {}),
    },
    'Replace',
  );
  const request: StoredRequest = {
    id: requestId,
    caller: callerOf(draft.requester),
    requester: draft.requester,
    ticket: draft.ticket,
    reason: draft.reason,
    ...(draft.requestedBy ? { requestedBy: draft.requestedBy } : {}),
    options: draft.options,
    source: draft.source,
    itemCount: draft.items.length,
    phase: 'creating',
    idempotencyKey: draft.idempotencyKey,
    fingerprint: draft.fingerprint,
    ...(draft.correlationId ? { correlationId: draft.correlationId } : {}),
    createdAt: now,
    updatedAt: now,
    ...(approvalExpiresAt ? { approval: { state: 'pending', requestedAt: now, expiresAt: approvalExpiresAt } } : {}),
    ...(draft.callback ? { callback: { ...draft.callback, status: 'pending', attempts: 0 } } : {}),
  };
  const received = auditEvent(ctx, 'RequestReceived', request, {
    reason: draft.reason,
    itemCount: draft.items.length,
    dryRun: draft.options.dryRun,
    ...(draft.items.length === 1 && draft.items[0] ? { target: { key: draft.items[0].userKey } } : {}),
  });
  try {
    await ctx.client.submitTransaction([
      ['create', requestToEntity(request)],
      ['create', auditToEntity(requestPartition(requestId), received)],
    ]);
  } catch (e) {
    // A resumed creation finds the request row written by the call that gave up.
    if (!(resumed && isConflict(e))) throw e;
  }

  // A resumed creation seals against the row the first call stored (its creation time is that call's).
  const sealedAs = resumed ? ((await getRequest(ctx, requestId)) ?? request) : request;
  await writeItems(ctx, sealedAs, draft.items, now);
  const stored = approvalExpiresAt
    ? await setPhase(
        ctx,
        requestId,
        ['creating'],
        'awaiting_approval',
        {},
        auditEvent(ctx, 'ApprovalRequested', request, {
          itemCount: draft.items.length,
          note: `until ${approvalExpiresAt}`,
        }),
      )
    : await setPhase(ctx, requestId, ['creating'], 'accepted', {});
  return { kind: resumed ? 'existing' : 'created', request: stored };
}

export async function findRequestByKey(ctx: TableContext, idempotencyKey: string): Promise<StoredRequest | undefined> {
  await ctx.ensureTable();
  const idem = await ctx.getEntity(idempotencyPartition(idempotencyKey), IDEMPOTENCY_ROW);
  return idem && !keyExpired(ctx, idem) ? getRequest(ctx, String(idem.requestId)) : undefined;
}

/** A key older than the idempotency window is forgotten: a reopened ticket for the same user is a new request. */
const keyExpired = (ctx: TableContext, idem: Record<string, unknown>): boolean =>
  ctx.now().getTime() - Date.parse(String(idem.createdAt)) >= ctx.idempotencyWindowMs;

/** The idempotency key is taken: decide between the earlier request, a conflict, in-progress, or resuming. */
async function arbitrate(
  ctx: TableContext,
  idemPk: string,
  fingerprint: string,
): Promise<
  | Exclude<CreateRequestResult, { kind: 'created' }>
  | { kind: 'resume'; requestId: string }
  | { kind: 'renew'; requestId: string }
> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const idem = await ctx.getEntity(idemPk, IDEMPOTENCY_ROW);
    if (!idem) throw new Error('idempotency record vanished');
    const requestId = String(idem.requestId);
    if (keyExpired(ctx, idem)) {
      // Past the window: the key now names a new request (one renewer wins the ETag race; the others see it fresh).
      const renewed = randomUUID();
      const now = nowIso(ctx);
      try {
        await ctx.client.updateEntity(
          {
            partitionKey: idemPk,
            rowKey: IDEMPOTENCY_ROW,
            requestId: renewed,
            fingerprint,
            createdAt: now,
            claimedAt: now,
            previousRequestId: requestId,
          },
          'Replace',
          { etag: String(idem.etag) },
        );
        return { kind: 'renew', requestId: renewed };
      } catch (e) {
        if (!isRace(e)) throw e;
        continue;
      }
    }
    if (idem.fingerprint !== fingerprint) return { kind: 'conflict', requestId };
    const existing = await getRequest(ctx, requestId);
    if (existing && existing.phase !== 'creating') return { kind: 'existing', request: existing };
    const claimedAt = Date.parse(String(idem.claimedAt ?? idem.createdAt));
    if (ctx.now().getTime() - claimedAt < ctx.inFlightMs) return { kind: 'in_progress', requestId };
    // The writer gave up (crash, timeout): take over, one resumer at a time (ETag on the claim time).
    try {
      await ctx.client.updateEntity(
        { partitionKey: idemPk, rowKey: IDEMPOTENCY_ROW, claimedAt: nowIso(ctx) },
        'Merge',
        { etag: String(idem.etag) },
      );
      return { kind: 'resume', requestId };
    } catch (e) {
      if (!isRace(e)) throw e;
    }
  }
  throw new Error('could not arbitrate the idempotency record');
}

/**
 * Writes the targets as one roster row per chunk (insert-only: a resumed creation keeps what exists), each sealed to
 * its request when the store has a sealer.
 */
async function writeItems(
  ctx: TableContext,
  request: StoredRequest,
  items: readonly NewItem[],
  now: string,
): Promise<void> {
  const chunks = Array.from({ length: chunkCount(items.length) }, (_, c) => c);
  const bound = sealedRequestFields(request);
  await mapBounded(chunks, ctx.writeConcurrency, async (chunk) => {
    const first = chunk * CHUNK_SIZE;
    const slice = items.slice(first, first + CHUNK_SIZE);
    const targets = slice.map(({ userKey, ticket, reason, requestedBy }) => ({
      userKey,
      ticket,
      reason,
      ...(requestedBy ? { requestedBy } : {}),
    }));
    const seal = ctx.sealer?.seal(chunkSealText(bound, first, targets));
    try {
      await ctx.client.createEntity(rosterToEntity(request.id, chunk, slice, now, seal));
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  });
}

/** Moves the request from one of `from` to `to` (ETag loop); returns the row as it ends up. */
async function setPhase(
  ctx: TableContext,
  requestId: string,
  from: readonly RequestPhase[],
  to: RequestPhase,
  extra: Record<string, unknown>,
  audit?: AuditEvent,
): Promise<StoredRequest> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const entity = await ctx.getEntity(requestPartition(requestId), REQUEST_ROW);
    if (!entity) throw new Error(`request ${requestId} not found`);
    const current = requestFromEntity(entity);
    if (!from.includes(current.phase)) return current;
    const patch = {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      phase: to,
      updatedAt: nowIso(ctx),
      ...extra,
    };
    try {
      const actions: TransactionAction[] = [['update', patch, 'Merge', { etag: String(entity.etag) }]];
      if (audit) actions.push(['create', auditToEntity(requestPartition(requestId), audit)]);
      await ctx.client.submitTransaction(actions);
      return requestFromEntity({ ...entity, ...patch });
    } catch (e) {
      if (!isRace(e)) throw e;
      await raceBackoff(attempt);
    }
  }
  throw new Error(`request ${requestId}: too many concurrent updates`);
}

/** Records that the queue accepted the request's work (`accepted` → `enqueued`, audited) and clears its marker. */
export async function markEnqueued(ctx: TableContext, requestId: string): Promise<void> {
  const request = await getRequest(ctx, requestId);
  if (!request) throw new Error(`request ${requestId} not found`);
  if (request.phase === 'accepted') {
    const audit = auditEvent(ctx, 'RequestEnqueued', request, { itemCount: request.itemCount });
    await setPhase(ctx, requestId, ['accepted'], 'enqueued', { enqueuedAt: nowIso(ctx) }, audit);
  }
  await clearHandOffMarker(ctx, requestId);
}

/** Removes the request's hand-off marker (the sweeper stops looking at it); already gone is fine. */
export async function clearHandOffMarker(ctx: TableContext, requestId: string): Promise<void> {
  try {
    await ctx.client.deleteEntity(PENDING_PARTITION, requestId);
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
}

/** Requests still `accepted` and older than `olderThanSeconds` (the sweeper re-submits them); stale markers go. */
export async function listUnenqueued(
  ctx: TableContext,
  olderThanSeconds: number,
  limit = 100,
): Promise<readonly StoredRequest[]> {
  await ctx.ensureTable();
  const cutoff = ctx.now().getTime() - olderThanSeconds * 1000;
  const found: StoredRequest[] = [];
  const markers = ctx.client.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq ${odataString(PENDING_PARTITION)}` },
  });
  for await (const marker of markers) {
    if (found.length >= limit) break;
    if (Date.parse(String(marker.createdAt)) > cutoff) continue;
    const id = String(marker.rowKey);
    const request = await getRequest(ctx, id);
    if (request?.phase === 'accepted') found.push(request);
    else if (!request || request.phase === 'enqueued') {
      // Stale marker (the hand-off was confirmed, or creation never got as far as the request row).
      await ctx.client.deleteEntity(PENDING_PARTITION, id).catch(() => undefined);
    }
  }
  return found;
}
