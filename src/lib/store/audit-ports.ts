// The audit row's shape (part of the state-store port, ports.ts): what every transition writes with itself.
import type { Claimed, ItemOutcome, MethodRef, Requester, ResetFailure, ResetReason } from '../domain/index.js';
import type { TapAuditEventType, TapAuditFields } from './tap-ports.js';

export type AuditEventType =
  | 'RequestReceived'
  | 'RequestEnqueued'
  | 'ExecutionStarted'
  | 'SnapshotSaved'
  | 'ProgressSaved'
  | 'ExecutionDeferred'
  | 'ResetCompleted'
  | 'ResetFailed'
  | 'Rejected'
  | 'PoisonQuarantined'
  /** The worker would not act on an item: it breaks the API's rules or carries no valid seal (item-checks.ts). */
  | 'ItemRefused'
  | 'RequestCancelled'
  | 'ItemCancelled'
  | 'ItemExpired'
  | 'ApprovalRequested'
  | 'RequestApproved'
  | 'RequestRejected'
  | 'ApprovalExpired'
  | 'ItemRejected'
  | 'ResetSkipped'
  | TapAuditEventType;

/**
 * One audit row (security.md §5.2, trimmed to what this service knows). Never tokens, phone numbers, e-mails or TAPs.
 * Schema 2.0: who asked is `requester` (verified) and `claimed` (typed by the caller), no longer `caller`/`requestedBy`.
 */
export interface AuditEvent extends TapAuditFields {
  readonly schemaVersion: '2.0';
  readonly auditId: string;
  readonly eventType: AuditEventType;
  readonly eventTime: string;
  readonly requestId: string;
  /** Item index for item transitions. */
  readonly item?: number;
  /** Per-item sequence number (the item's revision after the transition). */
  readonly seq?: number;
  readonly correlationId?: string;
  /** Who asked for the reset, from the submitter's token and connection (the person, for a delegated token). */
  readonly requester: Requester;
  /** What the submitter asserted (for an item, its own CSV row's `requestedBy`); absent when it asserted nothing. */
  readonly claimed?: Claimed;
  readonly ticket: string;
  readonly reason?: ResetReason;
  /** Target as given (UPN or object id) and the object id it resolved to. */
  readonly target?: { readonly key: string; readonly objectId?: string };
  readonly methodsRemoved?: readonly MethodRef[];
  readonly methodsRemaining?: readonly MethodRef[];
  readonly snapshot?: readonly MethodRef[];
  readonly graphRequestIds?: readonly string[];
  readonly outcome?: ItemOutcome;
  readonly error?: ResetFailure;
  readonly protectedReason?: string;
  readonly attempt?: number;
  readonly itemCount?: number;
  readonly dryRun?: boolean;
  readonly sessionsRevoked?: boolean;
  /** Who took an action on the request (cancel, approve, reject), verified the same way as the requester. */
  readonly actor?: Requester;
  /** Free-form, short, no personal data (e.g. the deferral reason). */
  readonly note?: string;
}
