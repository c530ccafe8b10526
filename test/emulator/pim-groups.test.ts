// PIM for Groups: eligibility and assignment schedule instances (accessId member/owner), the required principalId or
// groupId filter, the refused filter forms, $expand=group, paging and the PrivilegedEligibility/Assignment permissions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRIVILEGE_GROUPS, DEMO_PRIVILEGED_USERS } from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';
import { allPages, graphAs } from './graph-fetch.js';
import type { GraphGet } from './graph-fetch.js';

const BASE = '/v1.0/identityGovernance/privilegedAccess/group';
const U = DEMO_PRIVILEGED_USERS;
const G = DEMO_PRIVILEGE_GROUPS;
const q = (filter: string): string => `?$filter=${encodeURIComponent(filter)}`;

describe('PIM for Groups schedule instances', () => {
  let emu: TestEmulator;
  let get: GraphGet;
  const id = async (upn: string): Promise<string> => (await emu.user(upn)).id;

  beforeAll(async () => {
    emu = await startTestEmulator();
    get = await graphAs(emu, [
      'PrivilegedEligibilitySchedule.Read.AzureADGroup',
      'PrivilegedAssignmentSchedule.Read.AzureADGroup',
      'GroupMember.Read.All',
    ]);
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('lists eligible membership and ownership by principalId, with accessId, and by groupId', async () => {
    const member = await id(U.pimEligibleMember);
    const owner = await id(U.pimEligibleOwner);
    const m = await get(`${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}'`)}`);
    expect(m.status).toBe(200);
    expect(m.body.value).toEqual([
      expect.objectContaining({
        principalId: member,
        groupId: G.globalAdmins,
        accessId: 'member',
        memberType: 'direct',
      }),
    ]);
    expect(String(m.body.value?.[0].id)).toMatch(new RegExp(`^${G.globalAdmins}_member_`));
    const o = await get(
      `${BASE}/eligibilityScheduleInstances${q(`principalId eq '${owner}' and accessId eq 'owner'`)}`,
    );
    expect(o.body.value).toEqual([expect.objectContaining({ accessId: 'owner', groupId: G.globalAdmins })]);
    const byGroup = await get(`${BASE}/eligibilityScheduleInstances${q(`groupId eq '${G.globalAdmins}'`)}`);
    // The two users and the Tier 0 candidates group (a group may be an eligible member of another group).
    expect(new Set(byGroup.body.value?.map((i) => i.principalId))).toEqual(new Set([member, owner, G.tier0Candidates]));
    // A member of that candidates group has no instance of its own.
    const through = await get(
      `${BASE}/eligibilityScheduleInstances${q(`principalId eq '${await id(U.eligibleThroughGroup)}'`)}`,
    );
    expect(through.body.value).toEqual([]);
  });

  it('expands the group (with isAssignableToRole) and selects properties', async () => {
    const member = await id(U.pimEligibleMember);
    const r = await get(
      `${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}'`)}&$expand=group&$select=groupId,accessId`,
    );
    expect(r.body.value).toHaveLength(1);
    const [row] = r.body.value ?? [];
    expect(Object.keys(row).sort()).toEqual(['accessId', 'group', 'groupId']);
    expect(row).toMatchObject({ groupId: G.globalAdmins, accessId: 'member' });
    expect(row.group).toMatchObject({ id: G.globalAdmins, isAssignableToRole: true });
  });

  it('lists active (PIM-assigned) membership and ownership as assignment instances', async () => {
    const member = await id(U.pimActiveMember);
    const r = await get(`${BASE}/assignmentScheduleInstances${q(`principalId eq '${member}'`)}`);
    expect(r.body.value).toEqual([
      expect.objectContaining({ groupId: G.customRoleHolders, accessId: 'member', assignmentType: 'assigned' }),
    ]);
    expect((await get(`${BASE}/assignmentScheduleInstances${q(`groupId eq '${G.roleAdmins}'`)}`)).body.value).toEqual([
      expect.objectContaining({ principalId: await id(U.pimActiveOwner), accessId: 'owner' }),
    ]);
  });

  it('requires a principalId or groupId filter and refuses undocumented forms', async () => {
    const member = await id(U.pimEligibleMember);
    for (const path of [
      `${BASE}/eligibilityScheduleInstances`,
      `${BASE}/eligibilityScheduleInstances${q(`accessId eq 'member'`)}`,
      `${BASE}/eligibilityScheduleInstances${q(`principalId in ('${member}')`)}`,
      `${BASE}/eligibilityScheduleInstances${q(`principalId ne '${member}'`)}`,
      `${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}' or groupId eq '${G.roleAdmins}'`)}`,
      `${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}'`)}&$top=1`,
      `${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}'`)}&$expand=owners`,
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error?.code, path).toBe('BadRequest');
    }
    expect((await get(`${BASE}/eligibilitySchedules`)).status).toBe(400);
  });

  it('pages with @odata.nextLink', async () => {
    await emu.setKnobs({ pageSize: 1 } as never);
    try {
      const all = await allPages(get, `${BASE}/eligibilityScheduleInstances${q(`groupId eq '${G.globalAdmins}'`)}`);
      expect(all.sizes).toEqual([1, 1, 1]);
      expect(new Set(all.items.map((i) => i.id)).size).toBe(3);
    } finally {
      await emu.setKnobs({ pageSize: null } as never);
    }
  });

  it('needs PrivilegedEligibilitySchedule / PrivilegedAssignmentSchedule read permissions', async () => {
    const member = await id(U.pimEligibleMember);
    const other = await graphAs(emu, ['RoleManagement.Read.Directory', 'Directory.Read.All']);
    const e = await other(`${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}'`)}`);
    expect(e.status).toBe(403);
    expect(e.body.error?.code).toBe('Authorization_RequestDenied');
    const eligibilityOnly = await graphAs(emu, ['PrivilegedEligibilitySchedule.Read.AzureADGroup']);
    expect(
      (await eligibilityOnly(`${BASE}/eligibilityScheduleInstances${q(`principalId eq '${member}'`)}`)).status,
    ).toBe(200);
    expect(
      (await eligibilityOnly(`${BASE}/assignmentScheduleInstances${q(`principalId eq '${member}'`)}`)).status,
    ).toBe(403);
  });
});
