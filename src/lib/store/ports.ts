// The state-store port: what the intake, the worker and the status endpoint need from durable storage.
// The Azure Tables adapter (table-store.ts) implements it; nothing outside src/lib/store knows about tables.
// Every state transition writes an audit row in the same atomic write as the transition itself.

import type { ItemLease, ItemStatus } from '../domain/item-lease.js';
import type {
  Approval,
  ApprovalDecision,
  BreakerState,
  CallerRef,
  LastReset,
  KillSwitchMode,
  KillSwitchState,
  ItemOutcome,
  MethodRef,
  NewItem,
  RemainingMethod,
  RemovalProgress,
  Requester,
  ResetFailure,
  SealedChunk,
  ResetOptions,
  ResetReason,
  ResetResult,
  SessionsNotRevokedReason,
} from '../domain/index.js';
import type { AuditEvent } from './audit-ports.js';
import type { CallbackAttemptRecord, CallbackClaim, NewCallback, StoredCallback } from './callback-ports.js';
import type { TapOutcome, TapStore } from './tap-ports.js';

export type { AuditEvent, AuditEventType } from './audit-ports.js';
export type { CallbackAttemptRecord, CallbackClaim, NewCallback, StoredCallback } from './callback-ports.js';

export type { ItemLease, ItemStatus } from '../domain/item-lease.js';

/**
 * Lifecycle of a stored request (not the API status, which is derived from the items):
 * `creating` rows are still being written; `awaiting_approval` stored, nothing queued until a second person approves;
 * `accepted` every item is stored but the queue hand-off is not confirmed; `enqueued` the queue accepted the work;
 * `closed` rejected or its approval lapsed (nothing will be queued). A request left `accepted` is re-submitted by a
 * retried POST or a sweeper.
 */
export type RequestPhase = 'creating' | 'awaiting_approval' | 'accepted' | 'enqueued' | 'closed';

/** The request status the API reports. */
export type RequestStatus = 'awaiting_approval' | 'queued' | 'running' | 'completed';

export interface NewRequest {
  /** Who asks, verified (src/lib/domain/requester.ts); its tenant, app and object id make the owner (`caller`). */
  readonly requester: Requester;
  /** The request's ticket (for CSV uploads with several tickets: the first row's; each item keeps its own). */
  readonly ticket: string;
  readonly reason: ResetReason;
  readonly requestedBy?: string;
  readonly options: ResetOptions;
  readonly source: 'json' | 'csv';
  readonly items: readonly NewItem[];
  /** Opaque idempotency key, already scoped to the caller (hash of caller + Idempotency-Key, or of the natural key). */
  readonly idempotencyKey: string;
  /** Hash of the canonical request; the same key with another fingerprint is a conflict (HTTP 422). */
  readonly fingerprint: string;
  readonly correlationId?: string;
  /** Set when the request must wait for approval (src/lib/domain/approval.ts): nothing is queued until then. */
  readonly approval?: { readonly windowMs: number };
  /** A completion callback to call once every item is final (docs/api.md, "Completion callbacks"). */
  readonly callback?: NewCallback;
}

export interface StoredRequest {
  readonly id: string;
  /** The owner key (tenant, client app, object id): who may read and cancel it as its submitter. */
  readonly caller: CallerRef;
  /** Who asked, as verified at intake: stamped on every audit row of the request and its items. */
  readonly requester: Requester;
  readonly ticket: string;
  readonly reason: ResetReason;
  readonly requestedBy?: string;
  readonly options: ResetOptions;
  readonly source: 'json' | 'csv';
  readonly itemCount: number;
  readonly phase: RequestPhase;
  readonly idempotencyKey: string;
  readonly fingerprint: string;
  readonly correlationId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the first item was claimed by a worker (absent while every item is still queued). */
  readonly startedAt?: string;
  /** When the queue accepted the work. */
  readonly enqueuedAt?: string;
  /** When the last item became final (set by the first status read that sees every item final). */
  readonly completedAt?: string;
  /** Counts per outcome, cached with `completedAt` (final items never change again). */
  readonly finalCounts?: ItemOutcomeCounts;
  /** When the submitter or an operator cancelled it: items not started end `cancelled`, the worker starts no more. */
  readonly cancelledAt?: string;
  /** Present when the request needed approval. */
  readonly approval?: Approval;
  /** Present when the caller asked to be called back once the request is final. */
  readonly callback?: StoredCallback;
}

export interface StoredItem {
  readonly requestId: string;
  readonly index: number;
  readonly userKey: string;
  readonly ticket: string;
  readonly reason: ResetReason;
  readonly requestedBy?: string;
  readonly status: ItemStatus;
  /** Set once the item is final. */
  readonly outcome?: ItemOutcome;
  /** Object id Graph resolved the key to. */
  readonly userId?: string;
  /**
   * Removed by this item's attempts. Kept up to date while the item runs (after each batch of deletes, and when an
   * attempt is deferred), so a later attempt, a crash and redelivery or the poison queue keep what earlier ones did.
   */
  readonly methodsRemoved: readonly MethodRef[];
  /**
   * The last listing less what was removed since; with the reason a method in scope stays (ResetResult.skipped), where
   * there is one. Empty while no attempt has listed the user's methods.
   */
  readonly methodsRemaining: readonly RemainingMethod[];
  /** The plan of a dry run (outcome `planned`): what a real run would delete. */
  readonly methodsPlanned?: readonly MethodRef[];
  /** Methods an attempt set out to delete, saved before the first Graph write; later attempts delete only these. */
  readonly snapshot?: readonly MethodRef[];
  readonly protectedReason?: string;
  readonly error?: ResetFailure;
  readonly sessionsRevoked: boolean;
  readonly sessionsNotRevokedReason?: SessionsNotRevokedReason;
  readonly temporaryAccessPass?: TapOutcome;
  readonly graphRequestIds: readonly string[];
  /** Number of claims (worker attempts) so far. */
  readonly attempts: number;
  /** Number of transitions so far (the audit rows of an item carry it as `seq`). */
  readonly revision: number;
  readonly lease?: ItemLease;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Opaque concurrency token of the stored row. */
  readonly etag: string;
}

export type ItemOutcomeCounts = Readonly<Record<ItemOutcome, number>>;

export interface RequestSummary {
  readonly request: StoredRequest;
  readonly status: RequestStatus;
  readonly total: number;
  /** Items not yet final (queued or running). */
  readonly pending: number;
  readonly counts: ItemOutcomeCounts;
  /** Latest change seen (request row or counters). */
  readonly updatedAt: string;
}

export interface ItemPage {
  readonly items: readonly StoredItem[];
  /** 1-based page number and the fixed page size (see ITEM_PAGE_SIZE). */
  readonly page: number;
  readonly pageSize: number;
  readonly pages: number;
}

/** Result of `createRequest`: a new request, the one an identical earlier call made, or a conflict. */
export type CreateRequestResult =
  | { readonly kind: 'created'; readonly request: StoredRequest }
  /** Same key, same body: the earlier request (its phase tells whether the queue hand-off is still owed). */
  | { readonly kind: 'existing'; readonly request: StoredRequest }
  /** Same key, different body (HTTP 422). */
  | { readonly kind: 'conflict'; readonly requestId: string }
  /** Same key and body, and another call is still writing it (HTTP 409, retry shortly). */
  | { readonly kind: 'in_progress'; readonly requestId: string };

export type ClaimResult =
  | { readonly claimed: true; readonly item: StoredItem }
  /** `final`: already done (a duplicate delivery); `leased`: another worker holds an unexpired lease; `missing`: no such item. */
  | { readonly claimed: false; readonly reason: 'final' | 'leased' | 'missing'; readonly item?: StoredItem };

export interface ClaimOptions {
  /** Worker identity (e.g. invocation id); the lease owner. */
  readonly owner: string;
  readonly leaseSeconds: number;
  readonly correlationId?: string;
}

export type TransitionResult =
  | { readonly changed: true; readonly item: StoredItem }
  /** `final`: the item was already final and stays as it was; `lost_lease`: another owner holds it now; `missing`. */
  | { readonly changed: false; readonly reason: 'final' | 'lost_lease' | 'missing'; readonly item?: StoredItem };

export interface StateStore extends TapStore {
  // ---- intake
  /** Creates the request and its items (or finds the one with the same idempotency key). Items are numbered 0..n-1. */
  createRequest(request: NewRequest): Promise<CreateRequestResult>;
  /** The request stored under this (caller-scoped) idempotency key, if any. Read-only (the guardrails use it). */
  findRequestByKey?(idempotencyKey: string): Promise<StoredRequest | undefined>;
  /** Records that the queue accepted the request's work (`accepted` → `enqueued`), with an audit row. */
  markEnqueued(requestId: string): Promise<void>;
  /** Requests still `accepted` (queue hand-off not confirmed) and older than `olderThanSeconds`, for a sweeper. */
  listUnenqueued(olderThanSeconds: number, limit?: number): Promise<readonly StoredRequest[]>;

  // ---- status
  /** The request if `caller` created it; undefined for unknown ids and other callers' requests alike. */
  getRequestForCaller(requestId: string, caller: CallerRef): Promise<StoredRequest | undefined>;
  /** Request + counts per outcome, kept fast for 50,000 items by per-chunk counters. */
  getSummary(request: StoredRequest): Promise<RequestSummary>;
  /** One page of items in index order (page is 1-based). */
  listItems(request: StoredRequest, page: number): Promise<ItemPage>;
  /** Every item in index order (CSV export). */
  iterateItems(request: StoredRequest): AsyncIterable<StoredItem>;

  // ---- worker
  getRequest(requestId: string): Promise<StoredRequest | undefined>;
  getItem(requestId: string, index: number): Promise<StoredItem | undefined>;
  /** The chunk of targets holding an item, as the intake sealed it (the worker checks it before acting). */
  getSealedChunk?(requestId: string, index: number): Promise<SealedChunk | undefined>;
  /** queued → running (or re-claim of a running item whose lease expired), ETag-conditional, audited. */
  claimItem(requestId: string, index: number, options: ClaimOptions): Promise<ClaimResult>;
  /** Saves the method snapshot before the first Graph write (only by the lease owner). */
  saveSnapshot(
    requestId: string,
    index: number,
    owner: string,
    snapshot: readonly MethodRef[],
    correlationId?: string,
  ): Promise<TransitionResult>;
  /**
   * Records what the attempt has removed so far (only by the lease owner), merged with what earlier attempts removed:
   * each method once, the latest listing wins (src/lib/domain/removal-progress.ts). Audited as `ProgressSaved`.
   */
  saveProgress(
    requestId: string,
    index: number,
    owner: string,
    progress: RemovalProgress,
    correlationId?: string,
  ): Promise<TransitionResult>;
  /**
   * running → final with the engine's result (only by the lease owner; a final item never changes again). The stored
   * `methodsRemoved` of earlier attempts is merged in, as saveProgress does.
   */
  completeItem(
    requestId: string,
    index: number,
    owner: string,
    result: ResetResult,
    correlationId?: string,
  ): Promise<TransitionResult>;
  /**
   * running → queued: gives the lease back so a deferred message can claim it later (throttling, kill switch). With
   * `progress`, what the attempt removed is kept as saveProgress keeps it.
   */
  releaseItem(
    requestId: string,
    index: number,
    owner: string,
    note: string,
    correlationId?: string,
    progress?: RemovalProgress,
  ): Promise<TransitionResult>;
  /**
   * Any non-final state → final `failed` (poison queue, unrecoverable errors); no lease needed. The item keeps, and its
   * audit row names, what its attempts had recorded as removed.
   */
  failItem(
    requestId: string,
    index: number,
    error: ResetFailure,
    correlationId?: string,
    /** The audit event: `PoisonQuarantined` (default), or `ItemRefused` when the worker would not act on the item. */
    eventType?: 'PoisonQuarantined' | 'ItemRefused',
  ): Promise<TransitionResult>;

  // ---- operator controls
  /**
   * Marks the request cancelled (once, audited with who asked) and ends every item not started `cancelled`. Items a
   * worker holds under a live lease finish their user and are listed in `finishing`. Undefined for an unknown id.
   */
  cancelRequest?(requestId: string, by: Requester): Promise<CancelResult | undefined>;
  /**
   * One item that never started → final `cancelled` (its request was cancelled) or `expired` (too old to start).
   * Refused `lost_lease` when a worker holds it under a live lease or an attempt has begun its writes.
   */
  endUnstarted?(
    requestId: string,
    index: number,
    outcome: UnstartedOutcome,
    correlationId?: string,
  ): Promise<TransitionResult>;

  /**
   * Records an approver's decision, or the lapse of the approval window (`expired`, no decider), once: `approved`
   * moves the request to `accepted` (the caller hands it to the queue), `rejected`/`expired` close it and end every
   * item with that outcome. `decided: false` when it was not awaiting approval (the request as it is), or when its
   * window had ended: then it lapses instead (approval state `expired`).
   */
  decideApproval?(
    requestId: string,
    decision: ApprovalDecision | 'expired',
    by?: Requester,
    comment?: string,
  ): Promise<{ readonly request: StoredRequest; readonly decided: boolean } | undefined>;
  /** Requests still awaiting approval whose window has ended (the sweeper expires them). */
  listLapsedApprovals?(limit?: number): Promise<readonly StoredRequest[]>;

  /** The tenant-wide circuit breaker (closed when never tripped). */
  getBreaker?(): Promise<BreakerState>;
  /** Opens the breaker; true only for the call that opened it (one alert per trip). */
  tripBreaker?(trip: { readonly kind: string; readonly limit: number }): Promise<boolean>;
  /** Closes the breaker (an operator's decision, with who and why). */
  resetBreaker?(by: string, reason: string): Promise<BreakerState>;

  /** When this service last reset the user (object id), for the per-target cooldown. */
  lastResetOf?(userId: string): Promise<LastReset | undefined>;
  recordReset?(userId: string, requestId: string): Promise<void>;

  /** The kill switch an operator set (mode `off` when never set). */
  getKillSwitch?(): Promise<KillSwitchState>;
  setKillSwitch?(mode: KillSwitchMode, reason: string, updatedBy: string): Promise<KillSwitchState>;

  // ---- completion callbacks (src/lib/callbacks)
  /**
   * Takes attempt `attempt` (0-based) of the request's callback for `claimSeconds`: the attempt counter moves on and
   * `claimUntil` is set, ETag-conditional, so two copies of one message never both call. An attempt whose sender's
   * hold ran out before it recorded an outcome (a crash) is taken over.
   */
  claimCallback?(requestId: string, attempt: number, claimSeconds: number): Promise<CallbackClaim>;
  /** Records how the attempt just made ended (by the holder of the claim). */
  recordCallback?(requestId: string, record: CallbackAttemptRecord): Promise<void>;
  /**
   * When the request has a callback not yet tried and every item is final, hands it to the store's `onRequestFinal`
   * again (a redelivered item whose earlier run ended it but crashed before that). True when it did.
   */
  noticeIfFinal?(requestId: string): Promise<boolean>;

  // ---- audit
  /** Every audit row of a request, oldest first. */
  listAudit(requestId: string): Promise<readonly AuditEvent[]>;
}

/** Final outcomes of an item that never started: no Graph call was made for it. */
export type UnstartedOutcome = 'cancelled' | 'expired' | 'rejected';

export interface CancelResult {
  readonly request: StoredRequest;
  /** Items this call ended `cancelled`. */
  readonly cancelled: number;
  /** Indexes of items a worker is carrying out now: they finish their user (no half-reset). */
  readonly finishing: readonly number[];
}

/** Items per status page. */
export const ITEM_PAGE_SIZE = 1000;
