// Four-eyes approval (issue 14): a large request, or any CSV that changes something, waits for a second person.
// Pure rules; the store keeps the state and the intake enforces who may decide.
import type { CallerRef } from './reset-request.js';

/** `pending` until someone with Resets.Approve decides, or the approval window (APPROVAL_TTL_HOURS) ends. */
export const approvalStates = ['pending', 'approved', 'rejected', 'expired'] as const;

export type ApprovalState = (typeof approvalStates)[number];

export interface Approval {
  readonly state: ApprovalState;
  /** When the request was stored (the approval was asked for). */
  readonly requestedAt: string;
  /** When a pending approval lapses: every item then ends `expired`. */
  readonly expiresAt: string;
  /** Who approved or rejected it (from the verified token). */
  readonly decidedBy?: CallerRef;
  readonly decidedAt?: string;
  /** The approver's words (rejections must say why). */
  readonly comment?: string;
  /** The intake's seal over an approval (src/lib/domain/item-seal.ts): the worker's proof it came through the API. */
  readonly seal?: string;
}

export interface ApprovalRule {
  /** APPROVAL_MIN_USERS: requests of at least this many users wait for approval; 0 turns approval off. */
  readonly minUsers: number;
}

/**
 * Whether a new request must wait for approval. A dry run changes nothing and never waits; otherwise a CSV always
 * waits (a file is the easiest way to slip a long list past a busy desk), and so does a request of minUsers or more.
 */
export function needsApproval(
  rule: ApprovalRule,
  request: { readonly users: number; readonly source: 'json' | 'csv'; readonly dryRun: boolean },
): boolean {
  if (rule.minUsers <= 0 || request.dryRun) return false;
  return request.source === 'csv' || request.users >= rule.minUsers;
}

export type ApprovalDecision = 'approved' | 'rejected';

/**
 * Why this decider may not decide (undefined: it may). The approver must be a different identity from the submitter,
 * told apart by the token's object id (`oid`); without an oid on either side nobody can tell, so nobody may.
 */
export type DeciderRefusal = 'self_approval' | 'identity_unverifiable';

export function deciderRefusal(submitter: CallerRef, decider: CallerRef): DeciderRefusal | undefined {
  if (!submitter.objectId || !decider.objectId) return 'identity_unverifiable';
  if (submitter.objectId.toLowerCase() === decider.objectId.toLowerCase()) return 'self_approval';
  return undefined;
}

/** A pending approval past its window is expired, whoever looks at it. */
export const approvalLapsed = (approval: Approval, now: Date): boolean =>
  approval.state === 'pending' && now.getTime() >= Date.parse(approval.expiresAt);
