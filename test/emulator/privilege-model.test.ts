// The tenant privilege model (issue 12): the demo tenant has one user per privilege path, the emulator's own oracle
// (control API) names each path, ordinary users have none, and fixtures that Entra would refuse are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMINISTRATIVE_UNIT_ID,
  DEMO_CUSTOM_ROLE_ID,
  DEMO_GROUPS,
  DEMO_ORDINARY_MANY_GROUPS,
  DEMO_PRIVILEGE_GROUPS,
  DEMO_PRIVILEGED_USERS,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_USERS,
  demoTenant,
} from '../../dev/graph-emulator/index.js';
import type { TenantFixture } from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

const U = DEMO_PRIVILEGED_USERS;
const EXPECTED_PATHS: Record<keyof typeof U, string[]> = {
  directActiveAdministrativeUnit: ['directRole'],
  directActiveAppScope: ['directRole'],
  directActiveCustom: ['directRole'],
  directEligibleAdministrativeUnit: ['directEligibleRole'],
  directEligibleCustom: ['directEligibleRole'],
  groupActiveBuiltIn: ['roleAssignableGroupMember'],
  eligibleViaGroup: ['roleAssignableGroupMember'],
  groupAdministrativeUnit: ['roleAssignableGroupMember'],
  groupCustom: ['roleAssignableGroupMember'],
  roleAssignableGroupMember: ['roleAssignableGroupMember'],
  roleAssignableGroupOwner: ['roleAssignableGroupOwner'],
  pimEligibleMember: ['roleAssignableGroupEligibleMember'],
  pimEligibleOwner: ['roleAssignableGroupEligibleOwner'],
  pimActiveMember: ['roleAssignableGroupMember'],
  pimActiveOwner: ['roleAssignableGroupOwner'],
  eligibleThroughGroup: ['roleAssignableGroupThroughGroupEligibility'],
  protectedGroupEligible: [],
  protectedGroupDeep: [],
};

interface View {
  privilegePaths: string[];
  reachableGroups: string[];
  transitiveGroups: string[];
  roles: string[];
  activeRoles: string[];
  eligibleRoles: string[];
}

describe('tenant privilege model', () => {
  let emu: TestEmulator;
  const view = async (upn: string): Promise<View> => (await emu.user(upn)) as unknown as View;

  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('gives each privileged demo user its path, and protected-group users a reachable protected group', async () => {
    for (const [key, upn] of Object.entries(U) as [keyof typeof U, string][]) {
      const v = await view(upn);
      expect(v.privilegePaths, key).toEqual(EXPECTED_PATHS[key]);
      const protectedPath = v.privilegePaths.length === 0;
      expect(v.reachableGroups.includes(DEMO_PROTECTED_GROUP_ID), key).toBe(protectedPath);
    }
    // Active nesting is visible today; eligible membership of a nested group is not a membership yet.
    expect((await view(U.protectedGroupDeep)).transitiveGroups).toContain(DEMO_PROTECTED_GROUP_ID);
    expect((await view(U.protectedGroupEligible)).transitiveGroups).not.toContain(DEMO_PROTECTED_GROUP_ID);
  });

  it('keeps ordinary users, including one in 300 groups, free of any privilege path', async () => {
    for (const upn of [DEMO_ORDINARY_MANY_GROUPS, DEMO_USERS.plain, DEMO_USERS.manyGroups, DEMO_USERS.deadlock]) {
      const v = await view(upn);
      expect(v.privilegePaths, upn).toEqual([]);
      expect(v.reachableGroups, upn).not.toContain(DEMO_PROTECTED_GROUP_ID);
    }
    // 150 projects + 150 teams + 10 departments + All Staff.
    expect((await view(DEMO_ORDINARY_MANY_GROUPS)).transitiveGroups).toHaveLength(311);
  });

  it('reports direct roles at any scope, and as directoryRole only built-in roles held at tenant scope', async () => {
    const au = await view(U.directActiveAdministrativeUnit);
    expect(au.roles).toHaveLength(1);
    expect(au.activeRoles).toEqual([]);
    expect((await view(U.directActiveCustom)).roles).toEqual([DEMO_CUSTOM_ROLE_ID]);
    expect((await view(U.directActiveCustom)).activeRoles).toEqual([]);
    expect((await view(U.groupActiveBuiltIn)).activeRoles).toEqual(['62e90394-69f5-4237-9190-012177145e10']);
    expect((await view(U.groupCustom)).activeRoles).toEqual([]);
    expect((await view(U.groupAdministrativeUnit)).activeRoles).toEqual([]);
    expect((await view(U.eligibleViaGroup)).activeRoles).toEqual([]);
    expect((await view(U.directEligibleAdministrativeUnit)).eligibleRoles).toHaveLength(1);
  });

  it('refuses fixtures Entra would not allow: nesting into a role-assignable group, roles on an ordinary group, unknown roles and units', async () => {
    const base = demoTenant();
    const load = async (patch: (t: TenantFixture) => void): Promise<string[]> => {
      const t = structuredClone(base);
      patch(t);
      const r = await emu.control<{ problems?: string[] }>('PUT', 'tenant', t);
      expect(r.status).toBe(400);
      return r.body.problems ?? [];
    };
    const nested = await load((t) => {
      t.groups?.push({
        id: '11111111-1111-4111-8111-111111111111',
        displayName: 'x',
        groups: [DEMO_PRIVILEGE_GROUPS.noRole],
      });
    });
    expect(nested.join()).toMatch(/role-assignable and cannot have group members/);
    const ordinary = await load((t) => {
      t.groups?.push({
        id: '22222222-2222-4222-8222-222222222222',
        displayName: 'y',
        isAssignableToRole: false,
        roles: ['62e90394-69f5-4237-9190-012177145e10'],
      });
    });
    expect(ordinary.join()).toMatch(/only a role-assignable group can hold roles/);
    const unknown = await load((t) => {
      t.users[0].roleAssignments = [
        { roleDefinitionId: '33333333-3333-4333-8333-333333333333' },
        {
          roleDefinitionId: DEMO_CUSTOM_ROLE_ID,
          directoryScopeId: '/administrativeUnits/44444444-4444-4444-8444-444444444444',
        },
      ];
      t.users[0].groupEligibilities = [{ groupId: '55555555-5555-4555-8555-555555555555', accessId: 'member' }];
    });
    expect(unknown.join('\n')).toMatch(/unknown role 33333333/);
    expect(unknown.join('\n')).toMatch(/unknown administrative unit 44444444/);
    expect(unknown.join('\n')).toMatch(/unknown group 55555555/);
    const scope = await load((t) => {
      t.users[0].roleAssignments = [{ roleDefinitionId: DEMO_CUSTOM_ROLE_ID, directoryScopeId: '/groups/x' }];
    });
    expect(scope.join()).toMatch(/directoryScopeId/);
    // The demo tenant itself loads, and keeps the existing groups.
    expect((await emu.control('PUT', 'tenant', base)).status).toBe(200);
    expect((await view(DEMO_USERS.nestedProtected)).transitiveGroups).toContain(DEMO_GROUPS.protected);
    expect(DEMO_ADMINISTRATIVE_UNIT_ID).toMatch(/^[0-9a-f-]{36}$/);
  });
});
