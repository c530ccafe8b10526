/**
 * Privilege as Entra stores it, indexed by principal and by group: unified role assignments and eligibility schedule
 * instances (any directory scope, to users or role-assignable groups) and PIM for Groups eligibility and assignment
 * schedule instances (accessId member/owner). Built from the users and groups of the tenant state.
 */
import { guidFrom } from '../ids.js';
import type { FixtureGroupAccess, FixtureRoleGrant } from '../types.js';

export interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: null;
}

export interface EligibilityInstance {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: null;
  startDateTime: string;
  endDateTime: null;
  memberType: 'Direct';
  roleEligibilityScheduleId: string;
}

/** privilegedAccessGroupEligibilityScheduleInstance / privilegedAccessGroupAssignmentScheduleInstance. */
export interface GroupAccessInstance {
  id: string;
  accessId: 'member' | 'owner';
  principalId: string;
  groupId: string;
  memberType: 'direct';
  startDateTime: string;
  endDateTime: null;
  eligibilityScheduleId?: string;
  assignmentScheduleId?: string;
  assignmentType?: 'assigned';
}

/** What one principal (user or group) holds. */
export interface PrincipalGrants {
  roles: FixtureRoleGrant[];
  eligibleRoles: FixtureRoleGrant[];
  groupAssignments: FixtureGroupAccess[];
  groupEligibilities: FixtureGroupAccess[];
}

const INSTANCE_START = '2024-02-01T08:00:00Z';

const scopeOf = (g: FixtureRoleGrant): string => g.directoryScopeId ?? '/';

/** Shorthand roles (tenant scope) first, then the scoped grants; duplicates removed. */
export function grantsFrom(shorthand: readonly string[] | undefined, scoped: readonly FixtureRoleGrant[] | undefined) {
  const seen = new Set<string>();
  const out: FixtureRoleGrant[] = [];
  for (const g of [...(shorthand ?? []).map((r) => ({ roleDefinitionId: r })), ...(scoped ?? [])]) {
    const key = `${g.roleDefinitionId.toLowerCase()}|${scopeOf(g)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ roleDefinitionId: g.roleDefinitionId.toLowerCase(), directoryScopeId: scopeOf(g) });
  }
  return out;
}

class MultiMap<T> {
  private readonly map = new Map<string, T[]>();
  get(key: string): readonly T[] {
    return this.map.get(key) ?? [];
  }
  add(key: string, value: T): void {
    const list = this.map.get(key) ?? [];
    list.push(value);
    this.map.set(key, list);
  }
  /** Removes every value matching `drop` under `key`. */
  remove(key: string, drop: (v: T) => boolean): void {
    const list = this.map.get(key);
    if (!list) return;
    const kept = list.filter((v) => !drop(v));
    if (kept.length) this.map.set(key, kept);
    else this.map.delete(key);
  }
  all(): T[] {
    return [...this.map.values()].flat();
  }
}

export class PrivilegeIndex {
  readonly assignments = new MultiMap<RoleAssignment>();
  readonly eligibilities = new MultiMap<EligibilityInstance>();
  readonly groupEligibilityByPrincipal = new MultiMap<GroupAccessInstance>();
  readonly groupEligibilityByGroup = new MultiMap<GroupAccessInstance>();
  readonly groupAssignmentByPrincipal = new MultiMap<GroupAccessInstance>();
  readonly groupAssignmentByGroup = new MultiMap<GroupAccessInstance>();

  constructor(private readonly tenantId: string) {}

  add(principalId: string, grants: PrincipalGrants): void {
    const t = this.tenantId;
    for (const g of grants.roles) {
      const scope = scopeOf(g);
      this.assignments.add(principalId, {
        // The tenant-scope id matches older emulator versions.
        id:
          scope === '/'
            ? guidFrom(t, 'role-assignment', principalId, g.roleDefinitionId)
            : guidFrom(t, 'role-assignment', principalId, g.roleDefinitionId, scope),
        principalId,
        roleDefinitionId: g.roleDefinitionId,
        directoryScopeId: scope,
        appScopeId: null,
      });
    }
    for (const g of grants.eligibleRoles) {
      const scope = scopeOf(g);
      const key = scope === '/' ? [principalId, g.roleDefinitionId] : [principalId, g.roleDefinitionId, scope];
      this.eligibilities.add(principalId, {
        id: guidFrom(t, 'eligibility', ...key),
        principalId,
        roleDefinitionId: g.roleDefinitionId,
        directoryScopeId: scope,
        appScopeId: null,
        startDateTime: INSTANCE_START,
        endDateTime: null,
        memberType: 'Direct',
        roleEligibilityScheduleId: guidFrom(t, 'eligibility-schedule', ...key),
      });
    }
    for (const a of grants.groupEligibilities) {
      const schedule = guidFrom(t, 'group-eligibility', a.groupId, a.accessId, principalId);
      const instance: GroupAccessInstance = {
        id: `${a.groupId}_${a.accessId}_${schedule}`,
        accessId: a.accessId,
        principalId,
        groupId: a.groupId,
        memberType: 'direct',
        startDateTime: INSTANCE_START,
        endDateTime: null,
        eligibilityScheduleId: schedule,
      };
      this.groupEligibilityByPrincipal.add(principalId, instance);
      this.groupEligibilityByGroup.add(a.groupId, instance);
    }
    for (const a of grants.groupAssignments) {
      const schedule = guidFrom(t, 'group-assignment', a.groupId, a.accessId, principalId);
      const instance: GroupAccessInstance = {
        id: `${a.groupId}_${a.accessId}_${schedule}`,
        accessId: a.accessId,
        principalId,
        groupId: a.groupId,
        memberType: 'direct',
        startDateTime: INSTANCE_START,
        endDateTime: null,
        assignmentScheduleId: schedule,
        assignmentType: 'assigned',
      };
      this.groupAssignmentByPrincipal.add(principalId, instance);
      this.groupAssignmentByGroup.add(a.groupId, instance);
    }
  }

  remove(principalId: string): void {
    const mine = (v: { principalId: string }) => v.principalId === principalId;
    this.assignments.remove(principalId, mine);
    this.eligibilities.remove(principalId, mine);
    for (const i of this.groupEligibilityByPrincipal.get(principalId))
      this.groupEligibilityByGroup.remove(i.groupId, mine);
    this.groupEligibilityByPrincipal.remove(principalId, mine);
    for (const i of this.groupAssignmentByPrincipal.get(principalId))
      this.groupAssignmentByGroup.remove(i.groupId, mine);
    this.groupAssignmentByPrincipal.remove(principalId, mine);
  }
}
