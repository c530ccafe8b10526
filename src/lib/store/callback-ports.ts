// Completion callbacks in the state-store port (ports.ts): what the intake stores and the sender claims and records.
import type { CallbackStatus } from '../domain/index.js';
import type { StoredRequest } from './ports.js';

/** A completion callback as the intake hands it to the store: the URL only sealed, never in clear. */
export interface NewCallback {
  /** The URL's host: the only part of it ever shown back (GET) or logged. */
  readonly host: string;
  /** The URL sealed by the intake (src/lib/callbacks/url-cipher.ts, bound to `deliveryId`). */
  readonly sealedUrl: string;
  /** Sent as `x-mfa-reset-delivery` on every attempt, so a receiver can drop a repeated call. */
  readonly deliveryId: string;
  /** Where status URLs start (`https://<app>/api/resets/`): the callback body's `nextPage` is built from it. */
  readonly statusBase: string;
}

/** A completion callback and how its delivery stands. */
export interface StoredCallback extends NewCallback {
  readonly status: CallbackStatus;
  /** Attempts made so far (each a POST, or a POST cut short by a crash). */
  readonly attempts: number;
  readonly lastAttemptAt?: string;
  /** The receiver's last answer (absent: none yet, or no answer: timeout, network error). */
  readonly lastStatusCode?: number;
  /** While an attempt is under way: until when its sender holds it (a crashed sender's attempt is retried after). */
  readonly claimUntil?: string;
}

export type CallbackClaim =
  | { readonly claimed: true; readonly request: StoredRequest & { readonly callback: StoredCallback } }
  /**
   * `done`: delivered or failed; `stale`: the message is for an earlier attempt; `busy`: another sender holds the
   * attempt (until `claimUntil`); `missing`: no such request, or it has no callback.
   */
  | { readonly claimed: false; readonly reason: 'done' | 'stale' | 'busy' | 'missing'; readonly claimUntil?: string };

export interface CallbackAttemptRecord {
  readonly status: CallbackStatus;
  readonly statusCode?: number;
}
