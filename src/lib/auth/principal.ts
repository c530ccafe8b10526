import type { CallerRef, VerifiedIdentity } from '../domain/index.js';

/** The authenticated caller of one HTTP request. */
export interface Principal {
  /** The owner key of the requests it creates (tenant, client app, object id). */
  readonly caller: CallerRef;
  /** Everything the token proves about who calls (the caller, app or person, and the token's `uti`), for the audit. */
  readonly identity: VerifiedIdentity;
  readonly roles: readonly string[];
}
