// The guard: targets this service must never reset (DESIGN §4 step 2, issue 12). A user is protected when, directly
// or through any group, it
//   1. holds or is eligible for a directory role (built-in or custom, at any scope);
//   2. is a member or owner, active or PIM-eligible, of a role-assignable group, or can get into one through a group;
//   3. is in a configured protected group (transitively), can get into one, or is on the configured list.
// The list needs no call; the rest is the user's own reads and the tenant sets (tenant-privilege.ts), read in
// parallel on every attempt before the first write. Any read that fails, is refused, is cut short or answers in a
// shape we do not understand makes the guard unavailable: the run fails with `guard_unavailable` and nothing is
// written. The reason stays in the audit row and the operator log; callers see `protected` only.
import type { GraphCallContext, GraphPort, GraphUser, GroupFact, UserPrivilegeFacts } from '../domain/index.js';
import { GraphCallError, GraphTransportError, RetryLaterError, isGuid, redact } from '../domain/index.js';
import { settleAll } from '../concurrency/bounded.js';
import type { PrivilegedGroups, TenantPrivilege, TenantPrivilegeCache } from './tenant-privilege.js';

export type ProtectedReason =
  /** On PROTECTED_USERS. */
  | 'protected_user'
  /** An active directory role assigned to the user. */
  | 'directory_role'
  /** A PIM-eligible directory role of the user. */
  | 'eligible_role'
  /** Active member (at any nesting) of a role-assignable group. */
  | 'role_assignable_group_member'
  /** Owner of a role-assignable group. */
  | 'role_assignable_group_owner'
  /** PIM-eligible member or owner of a role-assignable group. */
  | 'role_assignable_group_eligible'
  /** In, owner of or eligible for a group that can get its members into a role-assignable group. */
  | 'role_assignable_group_via_group'
  /** Active member (at any nesting) of a configured protected group. */
  | 'protected_group'
  /** Owner of or eligible for a group in a protected group, or in a group that can get into one. */
  | 'protected_group_via_group';

export type GuardVerdict =
  { readonly protected: false } | { readonly protected: true; readonly reason: ProtectedReason };

export interface GuardConfig {
  /** UPNs or object ids (any case). */
  readonly protectedUsers: readonly string[];
  /** Group object ids (GUIDs); membership is transitive. */
  readonly protectedGroupIds: readonly string[];
}

/** The guard could not decide; the run must not write anything. */
export class GuardUnavailableError extends Error {
  override readonly name = 'GuardUnavailableError';
  readonly code = 'guard_unavailable';
  constructor(override readonly cause: unknown) {
    super(
      'The protected-target check could not be completed, so nothing was changed: ' +
        (cause instanceof GraphCallError || cause instanceof GraphTransportError
          ? cause.message
          : redact(cause instanceof Error ? cause.message : String(cause)).slice(0, 300)),
    );
  }
}

/** Validates the configuration once: group ids must be GUIDs (they are compared with directory ids). */
export function normaliseGuardConfig(config: GuardConfig): GuardConfig {
  const badGroups = config.protectedGroupIds.filter((g) => !isGuid(g.trim()));
  if (badGroups.length > 0) {
    throw new TypeError(
      `protectedGroupIds must be group object ids (GUIDs); not GUIDs: ${badGroups.length} entr${badGroups.length === 1 ? 'y' : 'ies'}`,
    );
  }
  return {
    protectedUsers: config.protectedUsers.map((u) => u.trim().toLowerCase()).filter(Boolean),
    protectedGroupIds: config.protectedGroupIds.map((g) => g.trim().toLowerCase()),
  };
}

/** True when the user (by object id or UPN) is on the configured list. */
export function isListedProtected(user: GraphUser, protectedUsers: readonly string[], key?: string): boolean {
  const names = new Set(protectedUsers.map((u) => u.toLowerCase()));
  return (
    names.has(user.id.toLowerCase()) ||
    names.has(user.userPrincipalName.toLowerCase()) ||
    (key !== undefined && names.has(key.toLowerCase()))
  );
}

/**
 * The directory part of the guard: the user's reads and the tenant sets, in parallel. Throws GuardUnavailableError
 * when any read fails; a request to wait (RetryLaterError) or a cancellation is passed on as it is.
 */
export async function checkDirectoryGuard(
  graph: GraphPort,
  userId: string,
  tenant: TenantPrivilegeCache,
  ctx: GraphCallContext,
): Promise<GuardVerdict> {
  try {
    const [facts, sets] = await settleAll([graph.readUserPrivilege(userId, ctx), tenant.get(ctx)] as const);
    return verdictOf(userId, facts, sets);
  } catch (error) {
    if (error instanceof RetryLaterError || ctx.signal?.aborted) throw error;
    throw new GuardUnavailableError(error);
  }
}

/** The decision on the facts read: the first reason that applies, roles first. */
export function verdictOf(userId: string, facts: UserPrivilegeFacts, tenant: TenantPrivilege): GuardVerdict {
  const id = userId.toLowerCase();
  const { toRoleAssignable: toRag, toProtected } = tenant;
  const rag = (g: GroupFact): boolean => g.roleAssignable || toRag.roots.has(g.id);
  const eligibleGroups = facts.eligibleFor.map((e) => e.group);
  const reaches = (set: PrivilegedGroups): boolean =>
    set.eligiblePrincipals.has(id) ||
    [...facts.memberOf, ...facts.ownerOf, ...eligibleGroups].some((g) => set.groups.has(g.id)) ||
    facts.memberOf.some((g) => set.eligiblePrincipals.has(g.id));
  const found = (reason: ProtectedReason): GuardVerdict => ({ protected: true, reason });

  if (facts.activeRoles.length > 0) return found('directory_role');
  if (facts.eligibleRoles.length > 0) return found('eligible_role');
  if (facts.memberOf.some(rag)) return found('role_assignable_group_member');
  if (facts.ownerOf.some(rag)) return found('role_assignable_group_owner');
  if (eligibleGroups.some(rag)) return found('role_assignable_group_eligible');
  if (reaches(toRag)) return found('role_assignable_group_via_group');
  // transitiveMemberOf lists every enclosing group, so a member of a nested group has the protected group itself.
  if (facts.memberOf.some((g) => toProtected.roots.has(g.id))) return found('protected_group');
  if (reaches(toProtected)) return found('protected_group_via_group');
  return { protected: false };
}
