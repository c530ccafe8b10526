/**
 * The emulator's own answer to "is this user privileged, and how" (issue 12), computed from the tenant model and not
 * through any Graph endpoint: tests and the demo compare the product's guard with it. Exposed by the control API only.
 */
import type { GroupState, TenantState, UserState } from './tenant-state.js';

export type PrivilegePath =
  | 'directRole'
  | 'directEligibleRole'
  | 'roleAssignableGroupMember'
  | 'roleAssignableGroupOwner'
  | 'roleAssignableGroupEligibleMember'
  | 'roleAssignableGroupEligibleOwner'
  | 'roleAssignableGroupThroughGroupEligibility';

export interface Privilege {
  paths: PrivilegePath[];
  /**
   * Groups the user is in or can get into: active memberships, owned groups (an owner can add itself), PIM-eligible
   * membership or ownership, and groups its groups are eligible for (concept-pim-for-groups.md, group nesting), each
   * with every group it is nested in. For the protected-group check.
   */
  reachableGroups: string[];
}

/** Groups reachable from `start`: nesting, and PIM eligibility held by a reachable group (its members can activate). */
function reachable(state: TenantState, start: readonly string[]): GroupState[] {
  const seen = new Set<string>();
  const out: GroupState[] = [];
  const queue = [...start];
  while (queue.length) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const g = state.groups.get(id);
    if (!g) continue;
    out.push(g);
    queue.push(...g.groups, ...g.groupEligibilities.map((e) => e.groupId));
  }
  return out;
}

export function privilegeOf(state: TenantState, user: UserState): Privilege {
  const paths = new Set<PrivilegePath>();
  const rag = (g: GroupState | undefined): boolean => g?.isAssignableToRole === true;
  if (state.privilege.assignments.get(user.id).length) paths.add('directRole');
  if (state.privilege.eligibilities.get(user.id).length) paths.add('directEligibleRole');
  if (state.transitiveGroups(user).some(rag)) paths.add('roleAssignableGroupMember');
  if (state.ownedGroups(user).some(rag)) paths.add('roleAssignableGroupOwner');
  for (const e of user.groupEligibilities) {
    if (!rag(state.groups.get(e.groupId))) continue;
    paths.add(e.accessId === 'member' ? 'roleAssignableGroupEligibleMember' : 'roleAssignableGroupEligibleOwner');
  }
  const start = [
    ...state.directGroupIds(user),
    ...state.ownedGroups(user).map((g) => g.id),
    ...user.groupEligibilities.map((e) => e.groupId),
  ];
  const groups = reachable(state, start);
  const viaRag = [...paths].some((p) => p.startsWith('roleAssignableGroup'));
  if (!viaRag && groups.some(rag)) paths.add('roleAssignableGroupThroughGroupEligibility');
  return { paths: [...paths].sort(), reachableGroups: groups.map((g) => g.id) };
}
