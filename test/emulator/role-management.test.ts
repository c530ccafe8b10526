// roleManagement/directory lists: the documented $filter forms (eq/in on assignments, eq/ne on eligibility instances),
// refusals of everything else, server paging with nextLink, $expand/$select, role definitions (built-in and custom),
// beta transitiveRoleAssignments and the permission each call needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMINISTRATIVE_UNIT_ID,
  DEMO_APP_SCOPE_ID,
  DEMO_CUSTOM_ROLE_ID,
  DEMO_PRIVILEGE_GROUPS,
  DEMO_PRIVILEGED_USERS,
  ROLE,
} from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';
import { allPages, EVENTUAL, graphAs } from './graph-fetch.js';
import type { GraphGet } from './graph-fetch.js';

const RA = '/v1.0/roleManagement/directory/roleAssignments';
const RE = '/v1.0/roleManagement/directory/roleEligibilityScheduleInstances';
const U = DEMO_PRIVILEGED_USERS;
const q = (filter: string): string => `?$filter=${encodeURIComponent(filter)}`;

describe('roleManagement/directory', () => {
  let emu: TestEmulator;
  let get: GraphGet;
  const id = async (upn: string): Promise<string> => (await emu.user(upn)).id;

  beforeAll(async () => {
    emu = await startTestEmulator();
    get = await graphAs(emu, ['RoleManagement.Read.Directory']);
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('lists direct assignments at administrative-unit, application and tenant scope, built-in and custom', async () => {
    const au = await get(`${RA}${q(`principalId eq '${await id(U.directActiveAdministrativeUnit)}'`)}`);
    expect(au.status).toBe(200);
    expect(au.body.value).toEqual([
      expect.objectContaining({
        roleDefinitionId: ROLE.helpdeskAdministrator,
        directoryScopeId: `/administrativeUnits/${DEMO_ADMINISTRATIVE_UNIT_ID}`,
      }),
    ]);
    const app = await get(`${RA}${q(`principalId eq '${await id(U.directActiveAppScope)}'`)}`);
    expect(app.body.value?.[0]).toMatchObject({ directoryScopeId: `/${DEMO_APP_SCOPE_ID}` });
    const custom = await get(`${RA}${q(`principalId eq '${await id(U.directActiveCustom)}'`)}&$expand=roleDefinition`);
    expect(custom.body.value?.[0]).toMatchObject({
      roleDefinitionId: DEMO_CUSTOM_ROLE_ID,
      roleDefinition: { id: DEMO_CUSTOM_ROLE_ID, isBuiltIn: false, displayName: 'Tier-1 credential operator' },
    });
    // A role held through a group is assigned to the group, not to its members.
    expect((await get(`${RA}${q(`principalId eq '${await id(U.groupCustom)}'`)}`)).body.value).toEqual([]);
  });

  it("accepts 'in' (at most 15 values) and 'and' on assignments; refuses or, not, ne, unknown properties and $top", async () => {
    const ids = [DEMO_PRIVILEGE_GROUPS.globalAdmins, DEMO_PRIVILEGE_GROUPS.auHelpdesk, await id(U.directActiveCustom)];
    const inList = await get(`${RA}${q(`principalId in (${ids.map((i) => `'${i}'`).join(', ')})`)}`);
    expect(inList.status).toBe(200);
    expect(new Set(inList.body.value?.map((r) => r.principalId))).toEqual(new Set(ids));
    const both = await get(
      `${RA}${q(`principalId in ('${ids[0]}', '${ids[1]}') and directoryScopeId eq '/'`)}&$select=id,principalId`,
    );
    expect(both.body.value).toHaveLength(1);
    expect(Object.keys(both.body.value?.[0] ?? {}).sort()).toEqual(['id', 'principalId']);
    expect(both.body.value?.[0].principalId).toBe(ids[0]);
    const sixteen = Array.from({ length: 16 }, (_, i) => `'${String(i).padStart(8, '0')}-0000-4000-8000-000000000000'`);
    for (const bad of [
      `principalId in (${sixteen.join(',')})`,
      `principalId eq '${ids[0]}' or principalId eq '${ids[1]}'`,
      `not principalId eq '${ids[0]}'`,
      `principalId ne '${ids[0]}'`,
      `displayName eq 'x'`,
      `startswith(principalId, 'a')`,
    ]) {
      const r = await get(`${RA}${q(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error?.code, bad).toBe('Request_BadRequest');
    }
    const top = await get(`${RA}?$top=5`);
    expect(top.status).toBe(400);
    expect(top.body.error?.message).toMatch(/\$top/);
  });

  it('filters eligibility instances with eq and ne only; a group eligibility names the group', async () => {
    const group = await get(`${RE}${q(`principalId eq '${DEMO_PRIVILEGE_GROUPS.eligibleGlobalAdmins}'`)}`);
    expect(group.body.value).toEqual([
      expect.objectContaining({
        roleDefinitionId: ROLE.globalAdministrator,
        memberType: 'Direct',
        directoryScopeId: '/',
      }),
    ]);
    expect((await get(`${RE}${q(`principalId eq '${await id(U.eligibleViaGroup)}'`)}`)).body.value).toEqual([]);
    const au = await get(
      `${RE}${q(`principalId eq '${await id(U.directEligibleAdministrativeUnit)}' and directoryScopeId ne '/'`)}`,
    );
    expect(au.body.value).toHaveLength(1);
    const inList = await get(`${RE}${q(`principalId in ('${DEMO_PRIVILEGE_GROUPS.eligibleGlobalAdmins}')`)}`);
    expect(inList.status).toBe(400);
  });

  it('pages every list with @odata.nextLink that repeats the query (pageSize knob)', async () => {
    await emu.setKnobs({ pageSize: 2 } as never);
    try {
      const all = await allPages(get, `${RA}${q(`directoryScopeId eq '/'`)}&$select=id,principalId`);
      expect(all.sizes.length).toBeGreaterThan(2);
      expect(all.sizes.slice(0, -1).every((n) => n === 2)).toBe(true);
      for (const link of all.links) {
        expect(link.startsWith(`${emu.url}/v1.0/roleManagement/directory/roleAssignments?`)).toBe(true);
        expect(decodeURIComponent(link)).toContain("$filter=directoryScopeId eq '/'");
        expect(link).toContain('$select=id,principalId');
      }
      expect(new Set(all.items.map((i) => i.id)).size).toBe(all.items.length);
      const bad = await get(`${RA}?$skiptoken=999999`);
      expect(bad.body.error?.code).toBe('Directory_ExpiredPageToken');
    } finally {
      await emu.setKnobs({ pageSize: null } as never);
    }
  });

  it('lists and gets role definitions, built-in and custom', async () => {
    const custom = await get(`/v1.0/roleManagement/directory/roleDefinitions${q('isBuiltIn eq false')}`);
    expect(custom.body.value).toEqual([expect.objectContaining({ id: DEMO_CUSTOM_ROLE_ID, isBuiltIn: false })]);
    const ga = await get(
      `/v1.0/roleManagement/directory/roleDefinitions/${ROLE.globalAdministrator}?$select=displayName,isBuiltIn`,
    );
    expect(ga.body).toMatchObject({ displayName: 'Global Administrator', isBuiltIn: true });
    expect(
      (await get('/v1.0/roleManagement/directory/roleDefinitions/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
  });

  it('serves beta transitiveRoleAssignments only with ConsistencyLevel (404 without), $count and a principalId filter', async () => {
    const user = await id(U.groupAdministrativeUnit);
    const path = `/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=${encodeURIComponent(`principalId eq '${user}'`)}`;
    expect((await get(path)).status).toBe(404);
    const ok = await get(path, EVENTUAL);
    expect(ok.status).toBe(200);
    expect(ok.body['@odata.count']).toBe(1);
    expect(ok.body.value?.[0]).toMatchObject({
      principalId: DEMO_PRIVILEGE_GROUPS.auHelpdesk,
      directoryScopeId: `/administrativeUnits/${DEMO_ADMINISTRATIVE_UNIT_ID}`,
    });
    expect((await get(path.replace('$count=true&', ''), EVENTUAL)).status).toBe(400);
    expect((await get(path.replace('/beta/', '/v1.0/'), EVENTUAL)).status).toBe(400);
  });

  it('needs a RoleManagement (or Directory) read permission; RoleEligibilitySchedule.Read.Directory reads eligibility only', async () => {
    const none = await graphAs(emu, ['User.Read.All']);
    for (const path of [RA, RE, '/v1.0/roleManagement/directory/roleDefinitions']) {
      const r = await none(path);
      expect(r.status, path).toBe(403);
      expect(r.body.error?.code).toBe('Authorization_RequestDenied');
    }
    const eligibilityOnly = await graphAs(emu, ['RoleEligibilitySchedule.Read.Directory']);
    expect((await eligibilityOnly(RE)).status).toBe(200);
    expect((await eligibilityOnly(RA)).status).toBe(403);
  });
});
