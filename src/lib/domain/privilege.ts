// The directory's privilege facts, in the guard's words: what a user holds or may activate (directory roles, groups
// it is in, owns or is PIM-eligible for) and which groups of the tenant lead to privilege. The Graph adapter reads
// them (src/lib/graph/privilege-reads.ts); the guard (src/lib/reset/guard.ts) decides on them. Ids are lower case.

/** A directory role granted to a principal, at any scope (`/`, `/administrativeUnits/{id}`, `/{app object id}`). */
export interface RoleGrant {
  readonly roleDefinitionId: string;
  readonly directoryScopeId: string;
}

/** A group as the guard needs it. */
export interface GroupFact {
  readonly id: string;
  /** Only role-assignable groups may hold directory roles; Entra protects their members and owners too. */
  readonly roleAssignable: boolean;
}

/** Membership or ownership of a group, as PIM for Groups grants it. */
export type GroupAccessKind = 'member' | 'owner';

export interface GroupAccess {
  readonly group: GroupFact;
  readonly access: GroupAccessKind;
}

/** Everything the directory says about one user's privilege, read at the moment of the check. */
export interface UserPrivilegeFacts {
  /** Active directory roles whose principal is the user (built-in or custom, any scope). */
  readonly activeRoles: readonly RoleGrant[];
  /** PIM-eligible directory roles whose principal is the user. */
  readonly eligibleRoles: readonly RoleGrant[];
  /** Groups the user is an active member of, directly or through nesting (PIM-active membership included). */
  readonly memberOf: readonly GroupFact[];
  /** Groups the user owns (PIM-active ownership included): an owner can add itself. */
  readonly ownerOf: readonly GroupFact[];
  /** Groups the user is PIM-eligible to join or own (not a membership until activated). */
  readonly eligibleFor: readonly GroupAccess[];
}

/** What kind of directory object holds a PIM for Groups eligibility; `unknown` when the directory no longer has it. */
export type PrincipalKind = 'user' | 'group' | 'other' | 'unknown';

/** A PIM for Groups eligibility of some principal for one group. */
export interface GroupEligibility {
  readonly principalId: string;
  readonly principalKind: PrincipalKind;
  readonly access: GroupAccessKind;
}
