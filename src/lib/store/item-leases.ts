// The item lease state machine on the table: claim, save the snapshot and the progress, complete, release, fail.
// Which transition is allowed, and to whom, is the domain's rule (src/lib/domain/item-lease.ts); here each allowed
// transition becomes the item's next state and its audit row, written atomically by item-transition.ts. What the
// attempts removed accumulates on the item (src/lib/domain/removal-progress.ts), so every row that ends it is true.

import { claimRefusal, failRefusal, holderRefusal, leaseFor, withoutLease } from '../domain/item-lease.js';
import type { MethodRef, RemovalProgress, ResetFailure, ResetResult } from '../domain/index.js';
import { mergeProgress } from '../domain/index.js';
import { auditTypeFor } from './audit-log.js';
import { transition, type Decision } from './item-transition.js';
import type { ClaimOptions, ClaimResult, StoredItem, TransitionResult } from './ports.js';
import type { TableContext } from './table-context.js';

const targetOf = (item: StoredItem, userId = item.userId): { key: string; objectId?: string } => ({
  key: item.userKey,
  ...(userId ? { objectId: userId } : {}),
});

/** Refuses a step of an attempt unless `owner` holds the lease of the running item. */
function unlessHolder(item: StoredItem, owner: string): Decision | undefined {
  const refusal = holderRefusal(item, owner);
  return refusal ? { write: false, result: { changed: false, reason: refusal, item } } : undefined;
}

function mergeIds(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** queued → running (or a new attempt on an item whose lease expired), under a fresh lease. */
export async function claimItem(
  ctx: TableContext,
  requestId: string,
  index: number,
  options: ClaimOptions,
): Promise<ClaimResult> {
  let blocked: ClaimResult | undefined;
  const result = await transition(ctx, requestId, index, options.correlationId, (item, now) => {
    const refusal = claimRefusal(item, options.owner, now);
    if (refusal) {
      blocked = { claimed: false, reason: refusal, item };
      return { write: false, result: { changed: false, reason: refusal === 'final' ? 'final' : 'lost_lease', item } };
    }
    const at = now.toISOString();
    return {
      write: true,
      next: {
        ...item,
        status: 'running',
        lease: leaseFor(options.owner, now, options.leaseSeconds),
        attempts: item.attempts + 1,
        startedAt: item.startedAt ?? at,
        updatedAt: at,
      },
      audit: {
        eventType: 'ExecutionStarted',
        target: targetOf(item),
        attempt: item.attempts + 1,
        ...(item.snapshot ? { snapshot: item.snapshot } : {}),
      },
    };
  });
  if (!result.changed) return blocked ?? { claimed: false, reason: 'missing' };
  return { claimed: true, item: result.item };
}

/** The lease holder saves the methods it set out to delete, before its first Graph write. */
export function saveSnapshot(
  ctx: TableContext,
  requestId: string,
  index: number,
  owner: string,
  snapshot: readonly MethodRef[],
  correlationId?: string,
): Promise<TransitionResult> {
  return transition(ctx, requestId, index, correlationId, (item, now) => {
    const refused = unlessHolder(item, owner);
    if (refused) return refused;
    return {
      write: true,
      next: { ...item, snapshot: [...snapshot], updatedAt: now.toISOString() },
      audit: { eventType: 'SnapshotSaved', target: targetOf(item), snapshot, attempt: item.attempts },
    };
  });
}

/** The lease holder records what its attempt has removed so far (after a batch of deletes). */
export function saveProgress(
  ctx: TableContext,
  requestId: string,
  index: number,
  owner: string,
  progress: RemovalProgress,
  correlationId?: string,
): Promise<TransitionResult> {
  return transition(ctx, requestId, index, correlationId, (item, now) => {
    const refused = unlessHolder(item, owner);
    if (refused) return refused;
    const merged = mergeProgress(item, progress);
    return {
      write: true,
      next: { ...item, ...merged, updatedAt: now.toISOString() },
      audit: { eventType: 'ProgressSaved', target: targetOf(item), ...merged, attempt: item.attempts },
    };
  });
}

/** running → final with the engine's result, merged with what earlier attempts removed (lease holder only). */
export function completeItem(
  ctx: TableContext,
  requestId: string,
  index: number,
  owner: string,
  result: ResetResult,
  correlationId?: string,
): Promise<TransitionResult> {
  return transition(ctx, requestId, index, correlationId, (item, now) => {
    const refused = unlessHolder(item, owner);
    if (refused) return refused;
    const userId = result.userId ?? item.userId;
    const { methodsRemoved, methodsRemaining } = mergeProgress(item, result);
    const next = {
      ...withoutLease(item),
      status: 'final' as const,
      outcome: result.outcome,
      ...(userId ? { userId } : {}),
      methodsRemoved,
      methodsRemaining,
      ...(result.outcome === 'planned' ? { methodsPlanned: result.planned } : {}),
      ...(result.protectedReason ? { protectedReason: result.protectedReason } : {}),
      ...(result.error ? { error: result.error } : {}),
      sessionsRevoked: result.sessionsRevoked,
      ...(result.sessionsNotRevokedReason ? { sessionsNotRevokedReason: result.sessionsNotRevokedReason } : {}),
      ...(result.temporaryAccessPass ? { temporaryAccessPass: result.temporaryAccessPass } : {}),
      graphRequestIds: mergeIds(item.graphRequestIds, result.graphRequestIds),
      updatedAt: now.toISOString(),
      finishedAt: result.finishedAt || now.toISOString(),
    };
    return {
      write: true,
      next,
      finalOutcome: result.outcome,
      audit: {
        eventType: auditTypeFor(result.outcome),
        target: targetOf(item, userId),
        outcome: result.outcome,
        methodsRemoved,
        methodsRemaining,
        graphRequestIds: result.graphRequestIds,
        sessionsRevoked: result.sessionsRevoked,
        attempt: item.attempts,
        ...(result.protectedReason ? { protectedReason: result.protectedReason } : {}),
        ...(result.error ? { error: result.error } : {}),
        ...(result.cooldownOverridden ? { note: 'target cooldown overridden by the approval' } : {}),
      },
    };
  });
}

/**
 * running → queued: the holder gives the lease back so a deferred message can claim the item later, keeping what its
 * attempt removed (`progress`, when it has one).
 */
export function releaseItem(
  ctx: TableContext,
  requestId: string,
  index: number,
  owner: string,
  note: string,
  correlationId?: string,
  progress?: RemovalProgress,
): Promise<TransitionResult> {
  return transition(ctx, requestId, index, correlationId, (item, now) => {
    const refused = unlessHolder(item, owner);
    if (refused) return refused;
    const kept = progress ? mergeProgress(item, progress) : undefined;
    return {
      write: true,
      next: { ...withoutLease(item), ...kept, status: 'queued', updatedAt: now.toISOString() },
      audit: {
        eventType: 'ExecutionDeferred',
        target: targetOf(item),
        attempt: item.attempts,
        note: note.slice(0, 200),
        ...kept,
      },
    };
  });
}

/** Any item not yet final → final `failed` (poison queue, unrecoverable errors); no lease needed. */
export function failItem(
  ctx: TableContext,
  requestId: string,
  index: number,
  error: ResetFailure,
  correlationId?: string,
  eventType: 'PoisonQuarantined' | 'ItemRefused' = 'PoisonQuarantined',
): Promise<TransitionResult> {
  return transition(ctx, requestId, index, correlationId, (item, now) => {
    const refusal = failRefusal(item);
    if (refusal) return { write: false, result: { changed: false, reason: refusal, item } };
    const at = now.toISOString();
    return {
      write: true,
      next: { ...withoutLease(item), status: 'final', outcome: 'failed', error, updatedAt: at, finishedAt: at },
      finalOutcome: 'failed',
      audit: {
        eventType,
        target: targetOf(item),
        outcome: 'failed',
        error,
        attempt: item.attempts,
        ...(item.snapshot ? { snapshot: item.snapshot } : {}),
        // What its attempts recorded before giving up (a crash after the last record may have removed more: the
        // Graph request-ids and the Entra audit log tell).
        methodsRemoved: item.methodsRemoved,
        methodsRemaining: item.methodsRemaining,
      },
    };
  });
}
