// The words of a reset request: who asks (the caller), why (the reason) and for whom (the items).

/**
 * Why the service desk asks for the reset (documented in docs/api.md):
 * - `lost_device`: the user lost (or broke) the device holding their authenticator;
 * - `new_device`: the user moved to a new phone and cannot transfer the authenticator;
 * - `compromised`: a method or the account is believed compromised (sessions are always revoked);
 * - `user_request`: the user asked for a clean re-registration;
 * - `other`: anything else (say more in the ticket).
 */
export const resetReasons = ['lost_device', 'new_device', 'compromised', 'user_request', 'other'] as const;

export type ResetReason = (typeof resetReasons)[number];

/** Reasons whose resets always revoke the user's sessions, whatever the options say (the intake refuses otherwise). */
export const reasonsThatRevoke: readonly ResetReason[] = ['compromised'];

/** The authenticated caller (from the access token), owner of the requests it creates. */
export interface CallerRef {
  /** Tenant id (`tid`). */
  readonly tenantId: string;
  /** Client application id (`azp`, or `appid` in v1 tokens): the owner key for caller-scoped reads. */
  readonly appId: string;
  /** Object id (`oid`): the calling service principal / managed identity, or the person of a delegated token. */
  readonly objectId?: string;
}

/** One target of a request as the intake hands it to the store. */
export interface NewItem {
  /** UPN (lower-cased) or object id (lower-cased GUID) exactly as it will be given to the engine (see user-key.ts). */
  readonly userKey: string;
  readonly ticket: string;
  readonly reason: ResetReason;
  readonly requestedBy?: string;
  /** 1-based CSV line the item came from (bulk uploads), for error reports. */
  readonly line?: number;
}
