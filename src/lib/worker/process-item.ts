// The worker use case: carry out one item (one user) of a stored request. The queue message is only a pointer;
// the stored item is the truth. Redeliveries, concurrent copies, throttling and the kill switch all end here.
import {
  cooldownVerdict,
  effectiveKillSwitch,
  reasonsThatRevoke,
  RetryLaterError,
  type BreakerState,
  type ItemSealer,
  type KillSwitchState,
  type MethodRef,
  type ResetEngine,
} from '../domain/index.js';
import type { StateStore, StoredItem } from '../store/ports.js';
import type { ResetItemMessage, ResetQueue } from '../queue/reset-queue.js';
import { telemetryEvents, telemetryMetrics, type Telemetry } from '../telemetry/telemetry.js';
import { checkItem } from './item-checks.js';
import { issueTap, type TapIssuerDeps } from './issue-tap.js';
import type { WorkerCeiling } from './worker-ceiling.js';
import type { WorkLog } from './work-log.js';

export interface ProcessItemDeps {
  readonly store: StateStore;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
  /** Absent when the kill switch is on and no Graph client was built. */
  readonly engine: ResetEngine | undefined;
  /** Checks the intake's seals (ITEM_SEAL_KEY); without it every item is refused, as unsealed work would be. */
  readonly sealer: ItemSealer | undefined;
  /** KILL_SWITCH: no Graph call at all; items wait on the queue. A floor the operator's switch cannot lift. */
  readonly killSwitch: boolean;
  /** The operator's kill switch (cached read of the state table, so a change is seen within seconds). */
  readonly killSwitchState?: () => Promise<KillSwitchState>;
  /** The latched tenant-wide circuit breaker (cached read): while open, no item starts. */
  readonly breakerState?: () => Promise<BreakerState>;
  /** WORKER_MAX_USERS_PER_HOUR, counted where the intake cannot write (absent: off). */
  readonly ceiling?: WorkerCeiling;
  /** TARGET_COOLDOWN_HOURS in ms: a user reset this recently is skipped unless the request was approved (0: off). */
  readonly cooldownMs?: number;
  /** How long a claim holds an item: longer than functionTimeout, so a live worker never loses it. */
  readonly leaseSeconds?: number;
  /** How long an item waits on the queue before checking the kill switch again. */
  readonly killSwitchDelaySeconds?: number;
  /**
   * How long Graph's write quota is known to be spent beyond the in-call wait budget (0: open). While it is, items are
   * put back on the queue before they are claimed or read from Graph: a started item would stop at its first write.
   */
  readonly writeQuotaWaitMs?: () => number;
  /** MAX_ITEM_AGE_HOURS: an item not started this long after its request was created ends `expired` (absent: never). */
  readonly maxItemAgeMs?: number;
  /** Clock for the age check (tests); the store has its own. */
  readonly now?: () => Date;
  /** The audit record's reconcile (src/lib/audit-record/audit-shipper.ts); never throws. */
  readonly audit?: { reconcileItem(requestId: string, index: number, touched: boolean): Promise<void> };
  /** Temporary Access Passes, for requests that ask for one (absent: such requests get `tap_not_configured`). */
  readonly tap?: TapIssuerDeps;
}

export interface ItemInvocation {
  /** Owner of the claim (the invocation id: each delivery is a different owner). */
  readonly invocationId: string;
  readonly dequeueCount?: number;
  readonly log: WorkLog;
}

export type ProcessItemResult =
  | 'completed'
  | 'duplicate'
  | 'missing'
  | 'deferred_throttled'
  | 'deferred_kill_switch'
  | 'deferred_breaker'
  | 'deferred_ceiling'
  | 'deferred_leased'
  | 'lost_lease'
  | 'cancelled'
  | 'expired'
  | 'not_approved'
  | 'refused';

const defaultLeaseSeconds = 11 * 60;
const defaultKillSwitchDelaySeconds = 300;

/**
 * Stops the engine when the snapshot (before the first write) or the progress (between batches of deletes) could not
 * be saved under our lease: the item is someone else's now, or final.
 */
class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly stage: 'snapshot' | 'progress',
    reason: string,
  ) {
    super(`${stage} not saved: ${reason}`);
  }
}

function secondsUntil(iso: string | undefined): number {
  return iso ? Math.max(1, Math.ceil((Date.parse(iso) - Date.now()) / 1000)) : 1;
}

export async function processItem(
  deps: ProcessItemDeps,
  message: ResetItemMessage,
  invocation: ItemInvocation,
): Promise<ProcessItemResult> {
  const { store, queue, telemetry } = deps;
  const { requestId, item: index } = message;
  const { log, invocationId } = invocation;
  const where = { requestId, item: index };

  const stored = await store.getItem(requestId, index);
  if (!stored) {
    log.warn('item_missing', where);
    return 'missing';
  }
  // The audit record gets what the table holds and it lacks: the intake's rows, and this item's rows when a crash
  // came between a commit and its append (a final item here is a duplicate delivery, often after such a crash).
  // Not awaited: the reset does not wait on it (it never throws; appends to one request are serialised, and the
  // worker's timer ships anything a process ending early leaves behind).
  void deps.audit?.reconcileItem(requestId, index, stored.revision > 0);
  if (stored.status === 'final') return duplicate(deps, stored, invocation);

  const switchMode = effectiveKillSwitch((await deps.killSwitchState?.())?.mode ?? 'off', deps.killSwitch);
  if (switchMode === 'cancel' && store.endUnstarted) {
    // Kill switch `cancel`: every pending item ends `cancelled` as its message comes by (no Graph call).
    const ended = await store.endUnstarted(requestId, index, 'cancelled');
    if (ended.changed) {
      telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: 'cancelled' });
      log.info('item_ended_unstarted', { ...where, outcome: 'cancelled', cause: 'kill_switch' });
      return 'cancelled';
    }
    if (ended.reason === 'final' && ended.item) return duplicate(deps, ended.item, invocation);
  }
  // The latched breaker pauses every item not started, as the kill switch's `pause` does, until an operator resets it.
  const breakerOpen = switchMode === 'off' && (await deps.breakerState?.())?.open === true;
  if (switchMode !== 'off' || breakerOpen || !deps.engine) {
    const reason = breakerOpen ? 'breaker_open' : 'kill_switch';
    const delay = deps.killSwitchDelaySeconds ?? defaultKillSwitchDelaySeconds;
    await queue.deferItem(requestId, index, delay);
    telemetry.trackMetric(telemetryMetrics.itemsDeferred, 1, { reason });
    telemetry.trackEvent(telemetryEvents.itemDeferred, { ...where, reason, delaySeconds: delay });
    log.info('item_deferred', { ...where, reason, delaySeconds: delay });
    return breakerOpen ? 'deferred_breaker' : 'deferred_kill_switch';
  }
  const engine = deps.engine;

  const quotaWaitMs = deps.writeQuotaWaitMs?.() ?? 0;
  if (quotaWaitMs > 0) {
    const delay = Math.max(1, Math.ceil(quotaWaitMs / 1000));
    await queue.deferItem(requestId, index, delay);
    telemetry.trackMetric(telemetryMetrics.itemsDeferred, 1, { reason: 'write_quota' });
    telemetry.trackEvent(telemetryEvents.itemDeferred, { ...where, reason: 'write_quota', delaySeconds: delay });
    log.info('item_deferred', { ...where, reason: 'write_quota', delaySeconds: delay });
    return 'deferred_throttled';
  }

  const request = await store.getRequest(requestId);
  if (!request) {
    log.warn('request_missing', where);
    return 'missing';
  }
  const correlationId = request.correlationId ?? requestId;
  // Cancelled by its submitter or an operator, or waited too long to start: the item ends with no Graph call. One
  // whose writes already began (or that a live worker holds) is finished instead: no user is left half-reset.
  const now = deps.now?.() ?? new Date();
  const tooOld = deps.maxItemAgeMs !== undefined && now.getTime() - Date.parse(request.createdAt) >= deps.maxItemAgeMs;
  const unstarted = request.cancelledAt ? 'cancelled' : tooOld ? 'expired' : undefined;
  if (unstarted && store.endUnstarted) {
    const ended = await store.endUnstarted(requestId, index, unstarted, correlationId);
    if (ended.changed) {
      telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: unstarted });
      log.info('item_ended_unstarted', { ...where, outcome: unstarted });
      return unstarted;
    }
    if (ended.reason === 'final' && ended.item) return duplicate(deps, ended.item, invocation);
  }
  // Never queued by the service: a request that waits for approval, or one rejected or lapsed. A message for it (forged,
  // or written around the API) is dropped with no Graph call; an approval queues the work itself.
  if (request.phase === 'awaiting_approval' || request.phase === 'closed') {
    log.warn('item_not_approved', { ...where, phase: request.phase });
    return 'not_approved';
  }

  // Storage is not trusted: the item must pass the intake's validators and carry its seal before anything is done.
  const checked = await checkItem(store, deps.sealer, request, stored);
  if (!checked.ok) {
    const ended = await store.failItem(requestId, index, checked.failure, correlationId, 'ItemRefused');
    if (!ended.changed && ended.reason === 'final' && ended.item) return duplicate(deps, ended.item, invocation);
    telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: 'failed' });
    telemetry.trackEvent(telemetryEvents.itemRefused, { ...where, code: checked.failure.code, detail: checked.detail });
    log.warn('item_refused', { ...where, code: checked.failure.code, detail: checked.detail });
    return 'refused';
  }
  const { target } = checked;

  // A user not started before counts against the worker's own ceiling (dry runs write nothing and do not count).
  if (deps.ceiling && stored.attempts === 0 && !request.options.dryRun) {
    const verdict = await deps.ceiling.admit(deps.now?.() ?? new Date());
    if (!verdict.admitted) {
      const delay = verdict.retryAfterSeconds;
      await queue.deferItem(requestId, index, delay);
      telemetry.trackMetric(telemetryMetrics.itemsDeferred, 1, { reason: 'worker_ceiling' });
      if (verdict.firstRefusal)
        telemetry.trackEvent(telemetryEvents.workerCeilingReached, { ...where, delaySeconds: delay });
      log.warn('item_deferred', { ...where, reason: 'worker_ceiling', delaySeconds: delay });
      return 'deferred_ceiling';
    }
  }

  const claim = await store.claimItem(requestId, index, {
    owner: invocationId,
    leaseSeconds: deps.leaseSeconds ?? defaultLeaseSeconds,
    correlationId,
  });
  if (!claim.claimed) {
    if (claim.reason === 'final' && claim.item) return duplicate(deps, claim.item, invocation);
    if (claim.reason === 'missing') {
      log.warn('item_missing', where);
      return 'missing';
    }
    // Another delivery holds a live lease. Come back when it ends: if that worker finishes, this copy finds the item
    // final and does nothing; if it crashed, this copy takes over (its own redelivery may arrive before the lease ends).
    const delay = secondsUntil(claim.item?.lease?.until) + 5;
    await queue.deferItem(requestId, index, delay);
    log.info('item_leased_elsewhere', { ...where, delaySeconds: delay });
    return 'deferred_leased';
  }

  const started = Date.now();
  log.info('item_claimed', { ...where, attempt: claim.item.attempts, dequeueCount: invocation.dequeueCount });
  let result;
  try {
    // Defence in depth: the intake refuses `compromised` without revocation; an item stored otherwise still revokes.
    const options = reasonsThatRevoke.includes(target.reason)
      ? { ...request.options, revokeSessions: true }
      : request.options;
    const approved = request.approval?.state === 'approved';
    const { cooldownMs } = deps;
    const lastResetOf = store.lastResetOf?.bind(store);
    const { snapshot, methodsRemoved, methodsRemaining } = claim.item;
    // The sealed target, not the item row as claimed: that row could have been changed after the check.
    result = await engine.reset(target.userKey, options, {
      // An earlier attempt began its writes: this one deletes only what it planned, and its result counts what that
      // attempt recorded as removed, whatever step it ends at.
      ...(snapshot ? { snapshot, earlier: { methodsRemoved, methodsRemaining } } : {}),
      ...(cooldownMs && lastResetOf
        ? {
            cooldown: async (userId: string) =>
              cooldownVerdict(await lastResetOf(userId), cooldownMs, approved, deps.now?.() ?? new Date()),
          }
        : {}),
      correlationId,
      onPlanned: async (planned: readonly MethodRef[]) => {
        // Write-ahead: the snapshot is durable before the first delete, so a retry deletes only these ids.
        const saved = await store.saveSnapshot(requestId, index, invocationId, planned, correlationId);
        if (!saved.changed) throw new LeaseLostError('snapshot', saved.reason);
      },
      onProgress: async (progress) => {
        // A safeguard for a crash: the result carries the same record to completeItem. A storage error here does not
        // stop the user's reset half-way; a lost lease does (the item is another delivery's now).
        const saved = await store
          .saveProgress(requestId, index, invocationId, progress, correlationId)
          .catch((error: unknown) => {
            log.warn('item_progress_not_saved', { ...where, error: error instanceof Error ? error.name : 'unknown' });
            return undefined;
          });
        if (saved && !saved.changed) throw new LeaseLostError('progress', saved.reason);
      },
    });
  } catch (error) {
    if (error instanceof LeaseLostError) {
      log.warn('item_lease_lost', { ...where, stage: error.stage });
      return 'lost_lease';
    }
    if (error instanceof RetryLaterError) {
      const delay = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
      // The release keeps what this attempt removed before the wait (the engine hands it over with the error).
      const note = `graph_throttled retry_after_s=${delay}`;
      await store.releaseItem(requestId, index, invocationId, note, correlationId, error.progress);
      await queue.deferItem(requestId, index, delay);
      telemetry.trackMetric(telemetryMetrics.graphThrottled, 1);
      telemetry.trackMetric(telemetryMetrics.itemsDeferred, 1, { reason: 'throttled' });
      telemetry.trackEvent(telemetryEvents.itemDeferred, { ...where, reason: 'throttled', delaySeconds: delay });
      log.info('item_deferred', { ...where, reason: 'throttled', delaySeconds: delay });
      return 'deferred_throttled';
    }
    // Unexpected: give the lease back so the host's retry of this message can claim the item at once (what it removed
    // is on the item up to its last batch of deletes; the next attempt's listing shows the rest gone).
    const note = `worker_error ${error instanceof Error ? error.name : 'unknown'}`;
    await store.releaseItem(requestId, index, invocationId, note, correlationId).catch(() => undefined);
    throw error;
  }

  // A pass only when asked, and only after a verified reset; stored encrypted before the item becomes final, so a
  // reader who sees the item final finds its pass.
  const tap = await issueTap(deps.tap, store, request, index, result, log);
  if (tap) result = { ...result, temporaryAccessPass: tap };

  // The cooldown's record is written first: a crash before the item's outcome errs on the side of the cooldown.
  if (result.outcome === 'reset' && result.userId && store.recordReset)
    await store.recordReset(result.userId, requestId);
  const completed = await store.completeItem(requestId, index, invocationId, result, correlationId);
  if (!completed.changed) {
    log.warn('item_complete_refused', { ...where, reason: completed.reason });
    return completed.reason === 'final' ? 'duplicate' : 'lost_lease';
  }
  telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: result.outcome });
  telemetry.trackEvent(telemetryEvents.itemCompleted, {
    ...where,
    // The calling application's client id (not personal data): operations.md charts resets per caller.
    callerAppId: request.caller.appId,
    outcome: result.outcome,
    methodsRemoved: completed.item.methodsRemoved.length,
    methodsRemaining: completed.item.methodsRemaining.length,
    sessionsRevoked: result.sessionsRevoked,
    dryRun: request.options.dryRun,
    errorCode: result.error?.code,
    protectedReason: result.protectedReason,
    tapStatus: tap?.status,
    tapReason: tap?.status === 'not_issued' ? tap.reason : undefined,
    attempt: claim.item.attempts,
    durationMs: Date.now() - started,
  });
  log.info('item_completed', {
    ...where,
    outcome: result.outcome,
    methodsRemoved: completed.item.methodsRemoved.length,
    errorCode: result.error?.code,
    // For the operator only: callers see `protected` without the reason, and a sentence of ours instead of a message
    // naming the worker's Graph permissions (status-views.ts). The message is free of personal data (describeFailure).
    errorMessage: result.error?.message,
    protectedReason: result.protectedReason,
    ms: Date.now() - started,
  });
  return 'completed';
}

async function duplicate(deps: ProcessItemDeps, item: StoredItem, invocation: ItemInvocation): Promise<'duplicate'> {
  // A redelivery of a finished item: no Graph call, no new audit row; the message is simply acknowledged. When the run
  // that finished it crashed before queueing the request's completion callback, the callback is queued now.
  await deps.store.noticeIfFinal?.(item.requestId);
  deps.telemetry.trackEvent(telemetryEvents.duplicateDeliveryIgnored, {
    requestId: item.requestId,
    item: item.index,
    outcome: item.outcome,
    dequeueCount: invocation.dequeueCount,
  });
  invocation.log.info('item_already_final', { requestId: item.requestId, item: item.index, outcome: item.outcome });
  return 'duplicate';
}
