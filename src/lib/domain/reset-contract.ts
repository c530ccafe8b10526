// The reset's public contract: what the queue worker (or a CLI, or a test) hands the engine and gets back.
// It knows nothing about Azure Functions, queues, tables or HTTP.
import type { CooldownVerdict } from './cooldown.js';
import type { MethodTypeName } from './method-types.js';
import type { RemovalProgress } from './removal-progress.js';
import type { TapOutcome, TapRequest } from './temporary-access-pass.js';

/** `all`: every deletable type; `portal`: what the Entra portal's "Require re-register MFA" removes; or explicit types. */
export type MethodScope = 'all' | 'portal' | readonly MethodTypeName[];

export interface ResetOptions {
  readonly methods: MethodScope;
  /** Types never to delete, whatever the scope says. */
  readonly keep: readonly MethodTypeName[];
  readonly revokeSessions: boolean;
  readonly dryRun: boolean;
  /** Issue a Temporary Access Pass once the reset is verified (absent: none). The engine ignores it; the worker acts. */
  readonly temporaryAccessPass?: TapRequest;
}

export const defaultResetOptions: ResetOptions = { methods: 'all', keep: [], revokeSessions: true, dryRun: false };

/** A method as the audit trail and the API see it: type and id, never phone numbers or e-mail addresses. */
export interface MethodRef {
  readonly type: string;
  readonly id: string;
}

/**
 * Every final outcome of an item. The engine produces the first six and `skipped_recently_reset` (the user was reset
 * within TARGET_COOLDOWN_HOURS; nothing deleted); the others end an item that never started (no Graph call):
 * `cancelled` by the submitter's or an operator's cancel, `expired` when it was not started within MAX_ITEM_AGE_HOURS
 * of its request or its approval lapsed, `rejected` when an approver rejected the request.
 */
export const itemOutcomes = [
  'reset',
  'nothing_to_reset',
  'protected',
  'not_found',
  'planned',
  'failed',
  'cancelled',
  'expired',
  'rejected',
  'skipped_recently_reset',
] as const;

export type ItemOutcome = (typeof itemOutcomes)[number];

/**
 * A method the user still has after the run. `reason` says why a method the options put in scope stays (the codes
 * of `ResetResult.skipped`): `delegated_admin_required` (Graph lets no application delete it: an administrator
 * removes it with delegated rights, or the user keeps it) or `alternate_mobile_remains`.
 */
export interface RemainingMethod extends MethodRef {
  readonly reason?: string;
}

/**
 * Why `sessionsRevoked` is false although the options asked for it and methods were removed. `external_user`: the
 * user signs in through another tenant (B2B), where Graph's revokeSignInSessions does not reach.
 */
export type SessionsNotRevokedReason = 'external_user';

export interface ResetFailure {
  /** Stable machine-readable code, e.g. `graph_permission_missing`, `verification_failed`, `graph_error`. */
  readonly code: string;
  /** A sentence for the service desk; it names the missing permission where that is the cause. */
  readonly message: string;
}

export interface ResetResult {
  readonly outcome: ItemOutcome;
  /** The object id Graph resolved the key to (absent when not found). */
  readonly userId?: string;
  readonly methodsBefore: readonly MethodRef[];
  /** The plan: what a dry run would delete, or what a real run set out to delete. */
  readonly planned: readonly MethodRef[];
  readonly methodsRemoved: readonly MethodRef[];
  readonly methodsRemaining: readonly RemainingMethod[];
  /** Types found that the method-type table does not know; they are never deleted. */
  readonly unknownTypes: readonly string[];
  readonly sessionsRevoked: boolean;
  /** Set when revoking was asked for but not done for a reason of the user's (see SessionsNotRevokedReason). */
  readonly sessionsNotRevokedReason?: SessionsNotRevokedReason;
  /** Why a target was refused (`outcome: 'protected'`), e.g. `protected_user`, `directory_role`, `eligible_role`, `protected_group`. */
  readonly protectedReason?: string;
  readonly error?: ResetFailure;
  /** Graph `request-id`s of the calls made, for joining with Entra audit logs. */
  readonly graphRequestIds: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  /**
   * Methods in scope that this run did not delete, with the reason: `alternate_mobile_remains` (mobile while
   * alternateMobile is kept) or `delegated_admin_required` (hardware OATH tokens, which Graph lets no application
   * delete). They also appear in `methodsRemaining` with the same reason.
   */
  readonly skipped?: readonly (MethodRef & { readonly reason: string })[];
  /** The user was inside the cooldown, and the request's approval overrode it (the audit row says so). */
  readonly cooldownOverridden?: boolean;
  /** Delete/verify passes the executor ran (0 for a dry run or when nothing was planned). */
  readonly passes?: number;
  /** Milliseconds per phase, and the number of sequential Graph round trips on the critical path. */
  readonly timings?: ResetTimings;
  /** The pass the request asked for, issued or not (set by the worker after the engine, never the value). */
  readonly temporaryAccessPass?: TapOutcome;
}

export interface ResetTimings {
  readonly resolveMs: number;
  /** Guard, method list and default, read in parallel. */
  readonly inspectMs: number;
  readonly executeMs: number;
  readonly totalMs: number;
  /** Sequential steps that waited for Graph (parallel calls count once). */
  readonly roundTrips: number;
  /** Graph HTTP answers received (retries included). */
  readonly graphResponses: number;
}

export interface ResetRunContext {
  /**
   * Method ids captured by an earlier attempt of the same item. When given, only these may be deleted: a late
   * redelivery after the user re-registered leaves the new methods alone.
   */
  readonly snapshot?: readonly MethodRef[];
  /**
   * Called once the plan is known and before the first write, so the caller can persist the snapshot. When a snapshot
   * was given it is passed back unchanged (this run deletes a part of it), so the stored snapshot stays whole.
   */
  readonly onPlanned?: (planned: readonly MethodRef[], before: readonly MethodRef[]) => Promise<void>;
  /**
   * What earlier attempts of the same item removed, and what their last listing still showed: this run's result
   * counts them, whatever step it ends at (a run that ends before listing reports their `methodsRemaining`).
   */
  readonly earlier?: RemovalProgress;
  /**
   * Called after each batch of deletes that removed something, with everything removed so far (earlier attempts
   * included), so the caller can persist it before the next batch: a crash loses none of it. A failure of this
   * callback (like one of onPlanned) ends the run with that error, not with a `failed` result.
   */
  readonly onProgress?: (progress: RemovalProgress) => Promise<void>;
  /**
   * The per-target cooldown, asked once the user is resolved, guarded and has something to delete, before any write
   * (not asked for dry runs or for a later attempt whose deletes began). `skip` ends the run `skipped_recently_reset`.
   */
  readonly cooldown?: (userId: string) => Promise<CooldownVerdict>;
  /** Correlation id sent to Graph as client-request-id prefix / logged with each call. */
  readonly correlationId?: string;
  readonly signal?: AbortSignal;
}

export interface ResetEngine {
  /** Resets one user given a UPN or object id. Throws RetryLaterError when Graph asks for a wait longer than the budget. */
  reset(userKey: string, options: ResetOptions, context?: ResetRunContext): Promise<ResetResult>;
}

/**
 * Graph asked us to wait longer than the in-process budget: the caller should defer the item (queue visibility delay).
 * Thrown by the engine, it carries what the run had removed by then (`progress`), for the caller to keep.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    readonly retryAfterMs: number,
    message = `Microsoft Graph asked to retry after ${Math.ceil(retryAfterMs / 1000)} s`,
    readonly progress?: RemovalProgress,
  ) {
    super(message);
  }

  /** The same request to wait, with what the run had removed when it came. */
  withProgress(progress: RemovalProgress): RetryLaterError {
    return new RetryLaterError(this.retryAfterMs, this.message, progress);
  }
}
