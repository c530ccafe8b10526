// The port through which the reset engine talks to Microsoft Graph. The adapter (graph-adapter.ts) implements it on
// @microsoft/microsoft-graph-client; it returns only what the engine needs (ids and types, never phone numbers or
// e-mail addresses), records Graph request-ids and raises typed errors.
import type { MethodTypeName } from '../reset/contract.js';
import type { PhoneType, PreferredMethodValue } from './method-catalogue.js';

export interface GraphUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly accountEnabled?: boolean;
  readonly userType?: string;
}

/** A listed authentication method, reduced to what a reset needs. */
export interface GraphMethod {
  /** Catalogue name, or undefined for a type the catalogue does not know. */
  readonly type: MethodTypeName | undefined;
  /** The raw `@odata.type` (kept to report unknown types). */
  readonly odataType: string;
  readonly id: string;
  readonly phoneType?: PhoneType;
}

export interface SignInPreferences {
  /** A PreferredMethodValue, or a value this code does not know yet (`unknownFutureValue`…). */
  readonly userPreferredMethodForSecondaryAuthentication: string | null;
  readonly isSystemPreferredAuthenticationMethodEnabled?: boolean | null;
}

export interface RoleAssignmentRef {
  readonly id: string;
  readonly roleDefinitionId: string;
}

export interface DirectoryMembership {
  /** Lower-case object id. */
  readonly id: string;
  readonly kind: 'group' | 'directoryRole' | 'other';
}

/** Per-reset call context: where request-ids go, the correlation id and a cancellation signal. */
export interface GraphCallContext {
  /** Receives each Graph `request-id` (one per HTTP attempt that got an answer). */
  readonly onRequestId?: (requestId: string) => void;
  /** Sent as `client-request-id` when it is a GUID (Graph expects a GUID there). */
  readonly correlationId?: string;
  readonly signal?: AbortSignal;
}

export type DeleteResult = 'deleted' | 'not_found';

export interface GraphPort {
  /** `GET /v1.0/users/{key}?$select=…`; null when Graph answers 404. */
  getUser(key: string, ctx?: GraphCallContext): Promise<GraphUser | null>;
  /** `GET /v1.0/users/{id}/authentication/methods`. */
  listMethods(userId: string, ctx?: GraphCallContext): Promise<GraphMethod[]>;
  /** `GET /beta/users/{id}/authentication/hardwareOathMethods` (hardware tokens are not in the v1.0 list). */
  listHardwareOathMethods(userId: string, ctx?: GraphCallContext): Promise<GraphMethod[]>;
  /** `GET /beta/users/{id}/authentication/signInPreferences`. */
  getSignInPreferences(userId: string, ctx?: GraphCallContext): Promise<SignInPreferences>;
  /** `PATCH /beta/users/{id}/authentication/signInPreferences` with the new default method. */
  setPreferredMethod(userId: string, value: PreferredMethodValue, ctx?: GraphCallContext): Promise<void>;
  /** The type-specific DELETE from the catalogue; 404 → `not_found`; other failures throw GraphRequestError. */
  deleteMethod(
    userId: string,
    method: { readonly type: MethodTypeName; readonly id: string },
    ctx?: GraphCallContext,
  ): Promise<DeleteResult>;
  /** `POST /v1.0/users/{id}/revokeSignInSessions`. */
  revokeSignInSessions(userId: string, ctx?: GraphCallContext): Promise<void>;
  /** Active directory-role assignments whose principal is the user. */
  listRoleAssignments(userId: string, ctx?: GraphCallContext): Promise<RoleAssignmentRef[]>;
  /** PIM-eligible directory roles whose principal is the user. */
  listRoleEligibilities(userId: string, ctx?: GraphCallContext): Promise<RoleAssignmentRef[]>;
  /** Groups and directory roles the user belongs to, transitively (a role held through a group shows up too). */
  listTransitiveMemberships(userId: string, ctx?: GraphCallContext): Promise<DirectoryMembership[]>;
}
