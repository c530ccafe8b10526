// The Temporary Access Pass part of the state-store port (tap-rows.ts implements it on Azure Tables): the value
// encrypted for the intake, read once, erased after its lifetime.
import type { Requester, TapOutcome } from '../domain/index.js';
import type { TapEnvelope } from '../tap/tap-envelope.js';

/** On a StoredItem: the pass the request asked for, issued (its terms, never the value) or why not. */
export type { TapOutcome };

/** Audit events of a pass: issued (its lifetime and one-time use only), read once, or erased unread. */
export type TapAuditEventType = 'TapIssued' | 'TapRevealed' | 'TapErased';

/** What an audit row says of a pass: its terms, never its value. */
export interface TapAuditFields {
  readonly tap?: {
    readonly lifetimeMinutes: number;
    readonly isUsableOnce: boolean;
    readonly startDateTime: string;
  };
}

export interface NewStoredTap {
  readonly envelope: TapEnvelope;
  readonly startDateTime: string;
  readonly lifetimeMinutes: number;
  readonly isUsableOnce: boolean;
}

/** A stored pass: `sealed` holds the ciphertext; `revealed` and `expired` hold none. */
export interface StoredTap {
  readonly requestId: string;
  readonly index: number;
  readonly state: 'sealed' | 'revealed' | 'expired';
  readonly envelope?: TapEnvelope;
  readonly startDateTime: string;
  readonly lifetimeMinutes: number;
  readonly isUsableOnce: boolean;
  readonly expiresAt: string;
  readonly issuedAt: string;
  readonly revealedAt?: string;
  readonly erasedAt?: string;
  readonly etag: string;
}

export interface TapStore {
  /** The worker stores an issued pass (before the item becomes final), with a `TapIssued` audit row. */
  saveTap?(requestId: string, index: number, tap: NewStoredTap, correlationId?: string): Promise<void>;
  getTap?(requestId: string, index: number): Promise<StoredTap | undefined>;
  /**
   * Erases the ciphertext if the row is still as read (ETag): `revealed` by this caller, or `expired`. True only for
   * the one call that changed it, so two concurrent readers never both get the value.
   */
  endTap?(tap: StoredTap, end: 'revealed' | 'expired', by?: Requester): Promise<boolean>;
  /** Erases every pass whose lifetime ended (by the store's clock) and that nobody read; returns how many. */
  eraseExpiredTaps?(limit?: number): Promise<number>;
}
