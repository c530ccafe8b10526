// Who asked for a reset, as the audit records it. Two kinds of facts, kept apart so an investigator knows which to
// trust:
// - verified (`Requester`): what the access token proves (its signature, issuer, audience and tenant were checked),
//   plus the network address the platform saw the request come from;
// - claimed (`Claimed`): what the caller typed (`requestedBy`), kept as given and marked as such.
//
// Decisions:
// - Ids only. A delegated token also names the person (`upn`, `preferred_username`, `name`, sometimes `email`); none of
//   it is kept. The person's object id (`oid`) identifies them in Entra ID for whoever may look them up, and e-mail
//   addresses and UPNs never go into audit rows or logs.
// - A delegated token (a person signed in to a client application: `scp` present, `idtyp` absent or `user`) makes the
//   person the requester: `objectId` is their `oid`, `appId` the client application they used. For an app-only token
//   (client credentials, managed identity) `objectId` is the calling service principal's.
// - `tokenId` is the token's `uti`, which Entra ID's sign-in logs record as the token's unique identifier: it ties a
//   request to the sign-in that issued the token, without keeping the token.
// - `clientAddress` is personal data (an address can point at a person). It is evidence for an investigation, so the
//   audit keeps it as it arrived; hashing would not protect it (every IPv4 address can be hashed and compared in
//   minutes). It goes into no log line, telemetry event or API answer.

import type { CallerRef } from './reset-request.js';

/** `app`: an application acting as itself; `user`: a person, through a client application (delegated token). */
export type IdentityType = 'app' | 'user';

/** The identity an access token proves, as the token verifier returns it. */
export interface VerifiedIdentity extends CallerRef {
  /** From `idtyp` and `scp` (see above). */
  readonly identityType: IdentityType;
  /** The token's `uti`, when it has one. */
  readonly tokenId?: string;
}

/** The verified identity behind one API call, with the address it came from: on every audit row. */
export interface Requester extends VerifiedIdentity {
  /**
   * The client's IP address (no port) as Azure's front end recorded it: the last X-Forwarded-For entry. Absent when
   * that entry is not an IP address. Behind another proxy (API Management, Front Door) it is that proxy's address.
   */
  readonly clientAddress?: string;
}

/** What the caller asserted and nothing verified; the audit shows it apart from the verified identity. */
export interface Claimed {
  /** The person the caller says asked for the reset (a UPN or an object id, as the API accepts it). */
  readonly requestedBy?: string;
}

/** The owner key of a request (tenant, client app, object id) of a verified identity. */
export const callerOf = (identity: CallerRef): CallerRef => ({
  tenantId: identity.tenantId,
  appId: identity.appId,
  ...(identity.objectId ? { objectId: identity.objectId } : {}),
});
