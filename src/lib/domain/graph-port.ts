// The port through which the reset engine reads and changes the directory (Microsoft Graph). The adapter
// (src/lib/graph/graph-adapter.ts) implements it; it hands back only what a reset needs (ids and types, never phone
// numbers or e-mail addresses), records Graph request-ids, and fails with the errors of graph-errors.ts, so the
// engine decides on what happened (not found, refused, forbidden…) rather than on HTTP status codes.
import type { MethodTypeName, PhoneType, PreferredMethodValue } from './method-types.js';
import type { GroupEligibility, UserPrivilegeFacts } from './privilege.js';

export interface GraphUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly accountEnabled?: boolean;
  readonly userType?: string;
  /** Set for users invited through B2B (`PendingAcceptance`, `Accepted`), null or absent for everyone else. */
  readonly externalUserState?: string | null;
}

/** A listed authentication method, reduced to what a reset needs. */
export interface GraphMethod {
  /** The type's name in the method-type table, or undefined for a type the table does not know. */
  readonly type: MethodTypeName | undefined;
  /** Graph's own short name of the type (e.g. `fido2AuthenticationMethod`): how an unknown type is reported. */
  readonly graphType: string;
  readonly id: string;
  readonly phoneType?: PhoneType;
}

export interface SignInPreferences {
  /** A PreferredMethodValue, or a value this code does not know yet (`unknownFutureValue`…). */
  readonly userPreferredMethodForSecondaryAuthentication: string | null;
  readonly isSystemPreferredAuthenticationMethodEnabled?: boolean | null;
}

/** Per-reset call context: where request-ids go, the correlation id and a cancellation signal. */
export interface GraphCallContext {
  /** Receives each Graph `request-id` (one per attempt that got an answer). */
  readonly onRequestId?: (requestId: string) => void;
  /** Sent to Graph as the client request id when it is a GUID. */
  readonly correlationId?: string;
  readonly signal?: AbortSignal;
}

export type DeleteResult = 'deleted' | 'not_found';

/**
 * Every call may also fail with RetryLaterError (Graph asked for a longer wait than the in-call budget),
 * GraphTransportError (no answer) or GraphCallError (any other failure; its `kind` says which).
 */
export interface GraphPort {
  /** The user a UPN or object id names; null when there is no such user. */
  getUser(key: string, ctx?: GraphCallContext): Promise<GraphUser | null>;
  /** The user's authentication methods, as Graph's general list shows them (hardware tokens are not in it). */
  listMethods(userId: string, ctx?: GraphCallContext): Promise<GraphMethod[]>;
  /** The user's hardware OATH tokens, which only their own list shows. */
  listHardwareOathMethods(userId: string, ctx?: GraphCallContext): Promise<GraphMethod[]>;
  /** Which method is the user's default. */
  getSignInPreferences(userId: string, ctx?: GraphCallContext): Promise<SignInPreferences>;
  /** Makes another method the default; a refusal is a GraphCallError of kind `refused_by_rule`. */
  setPreferredMethod(userId: string, value: PreferredMethodValue, ctx?: GraphCallContext): Promise<void>;
  /**
   * Deletes one method; `not_found` when it is already gone. Graph's refusals are GraphCallErrors of kind
   * `refused_default_method` (it is the default and other default-capable methods remain) or `refused_by_rule`.
   */
  deleteMethod(
    userId: string,
    method: { readonly type: MethodTypeName; readonly id: string },
    ctx?: GraphCallContext,
  ): Promise<DeleteResult>;
  /** Ends the user's sign-in sessions (refresh tokens and session cookies). */
  revokeSignInSessions(userId: string, ctx?: GraphCallContext): Promise<void>;
  // The guard's reads. Besides the failures above, each fails with a GraphCallError of kind `unreadable` when Graph's
  // answer cannot be trusted whole (a page without `value`, paging cut short or sent elsewhere, a missing property):
  // the guard never takes a partial answer for "not privileged".
  /** The user's roles, memberships, ownerships and PIM eligibilities, read now; fails if any of its reads fails. */
  readUserPrivilege(userId: string, ctx?: GraphCallContext): Promise<UserPrivilegeFacts>;
  /** Ids of every role-assignable group of the tenant. */
  listRoleAssignableGroups(ctx?: GraphCallContext): Promise<string[]>;
  /** Who is PIM-eligible to become a member or owner of the group. */
  listGroupEligibilities(groupId: string, ctx?: GraphCallContext): Promise<GroupEligibility[]>;
  /** Ids of the groups nested in the group, at any depth. */
  listNestedGroups(groupId: string, ctx?: GraphCallContext): Promise<string[]>;
}
