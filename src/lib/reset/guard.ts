// The guard: targets this service must never reset (DESIGN §4 step 2). The configured list is checked without any
// call; role assignments, PIM eligibility and transitive memberships (groups, and directory roles held directly or
// through a role-assignable group) are read in parallel. A guard read that fails fails the reset: we never act
// unguarded.
import type { GraphCallContext, GraphPort, GraphUser } from '../domain/index.js';
import { isGuid } from '../domain/index.js';
import { settleAll } from '../concurrency/bounded.js';

export type ProtectedReason = 'protected_user' | 'directory_role' | 'eligible_role' | 'protected_group';

export type GuardVerdict =
  { readonly protected: false } | { readonly protected: true; readonly reason: ProtectedReason };

export interface GuardConfig {
  /** UPNs or object ids (any case). */
  readonly protectedUsers: readonly string[];
  /** Group object ids (GUIDs); membership is transitive. */
  readonly protectedGroupIds: readonly string[];
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

/** The directory part of the guard: three reads in parallel. */
export async function checkDirectoryGuard(
  graph: GraphPort,
  userId: string,
  config: GuardConfig,
  ctx?: GraphCallContext,
): Promise<GuardVerdict> {
  const [assignments, eligibilities, memberships] = await settleAll([
    graph.listRoleAssignments(userId, ctx),
    graph.listRoleEligibilities(userId, ctx),
    graph.listTransitiveMemberships(userId, ctx),
  ] as const);
  if (assignments.length > 0 || memberships.some((m) => m.kind === 'directoryRole')) {
    return { protected: true, reason: 'directory_role' };
  }
  if (eligibilities.length > 0) return { protected: true, reason: 'eligible_role' };
  const groups = new Set(config.protectedGroupIds);
  if (memberships.some((m) => m.kind === 'group' && groups.has(m.id)))
    return { protected: true, reason: 'protected_group' };
  return { protected: false };
}
