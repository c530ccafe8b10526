// transitiveMemberOf / memberOf / ownedObjects and the group reads a privilege check uses: casts and $filter only as
// advanced queries, isAssignableToRole only with a group-reading permission (limited information otherwise), active
// PIM membership/ownership as real membership/ownership, directoryRole only for built-in tenant-scope roles, paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_GROUPS,
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_ORDINARY_MANY_GROUPS,
  DEMO_PRIVILEGE_GROUPS,
  DEMO_PRIVILEGED_USERS,
  DEMO_PROTECTED_GROUP_ID,
} from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';
import { allPages, EVENTUAL, graphAs } from './graph-fetch.js';
import type { GraphGet } from './graph-fetch.js';

const U = DEMO_PRIVILEGED_USERS;
const G = DEMO_PRIVILEGE_GROUPS;
const GROUPS_CAST =
  'transitiveMemberOf/microsoft.graph.group?$select=id,isAssignableToRole,securityEnabled&$count=true';

describe('memberships, ownership and groups', () => {
  let emu: TestEmulator;
  let get: GraphGet;
  let userOnly: GraphGet;

  beforeAll(async () => {
    emu = await startTestEmulator();
    get = await graphAs(emu, ['User.Read.All', 'GroupMember.Read.All']);
    userOnly = await graphAs(emu, ['User.Read.All']);
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('needs ConsistencyLevel: eventual and $count=true for a cast or a $filter (Request_UnsupportedQuery)', async () => {
    for (const path of [
      `/v1.0/users/${U.groupCustom}/${GROUPS_CAST}`,
      `/v1.0/users/${U.groupCustom}/${GROUPS_CAST.replace('&$count=true', '')}`,
      `/v1.0/users/${U.groupCustom}/memberOf/microsoft.graph.group`,
      `/v1.0/users/${U.groupCustom}/transitiveMemberOf?$filter=${encodeURIComponent('isAssignableToRole eq true')}`,
    ]) {
      const headers = path.includes('$count') ? {} : EVENTUAL;
      const r = await get(path, headers);
      expect(r.status, path).toBe(400);
      expect(r.body.error?.code, path).toBe('Request_UnsupportedQuery');
    }
    const ok = await get(`/v1.0/users/${U.groupCustom}/${GROUPS_CAST}`, EVENTUAL);
    expect(ok.status).toBe(200);
    expect(ok.body['@odata.count']).toBe(2);
    expect(ok.body.value).toEqual(
      expect.arrayContaining([
        {
          '@odata.type': '#microsoft.graph.group',
          id: G.customRoleHolders,
          isAssignableToRole: true,
          securityEnabled: true,
        },
        {
          '@odata.type': '#microsoft.graph.group',
          id: DEMO_GROUPS.allStaff,
          isAssignableToRole: null,
          securityEnabled: true,
        },
      ]),
    );
    // Without a cast or filter no header is needed; $count=true alone is silently ignored.
    const plain = await get(`/v1.0/users/${U.groupCustom}/transitiveMemberOf?$select=id&$count=true`);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('@odata.count');
  });

  it("takes ConsistencyLevel from a $batch item's own headers", async () => {
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID, roles: ['User.Read.All'] });
    const url = `/users/${U.groupCustom}/transitiveMemberOf/microsoft.graph.group?$select=id&$count=true`;
    const res = await fetch(`${emu.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url, headers: { ConsistencyLevel: 'eventual' } },
          { id: '2', method: 'GET', url },
        ],
      }),
    });
    const body = (await res.json()) as { responses: { id: string; status: number }[] };
    const status = Object.fromEntries(body.responses.map((r) => [r.id, r.status]));
    expect(status).toEqual({ '1': 200, '2': 400 });
  });

  it('filters role-assignable groups (advanced query) and refuses undocumented filters', async () => {
    const path = (f: string) =>
      `/v1.0/users/${U.groupAdministrativeUnit}/transitiveMemberOf/microsoft.graph.group?$count=true&$select=id&$filter=${encodeURIComponent(f)}`;
    const rag = await get(path('isAssignableToRole eq true'), EVENTUAL);
    expect(rag.body.value?.map((g) => g.id)).toEqual([G.auHelpdesk]);
    for (const bad of [
      "startswith(displayName,'a')",
      "description eq 'x'",
      'isAssignableToRole eq true or id eq null',
    ]) {
      expect((await get(path(bad), EVENTUAL)).status, bad).toBe(400);
    }
  });

  it('returns groups with limited information (null isAssignableToRole) without a group-reading permission', async () => {
    const r = await userOnly(`/v1.0/users/${U.groupCustom}/${GROUPS_CAST}`, EVENTUAL);
    expect(r.status).toBe(200);
    expect(r.body.value).toContainEqual({
      '@odata.type': '#microsoft.graph.group',
      id: G.customRoleHolders,
      isAssignableToRole: null,
      securityEnabled: null,
    });
  });

  it('counts active PIM membership as membership, never eligible membership; follows nesting', async () => {
    const ids = async (upn: string) =>
      (await get(`/v1.0/users/${upn}/transitiveMemberOf?$select=id`)).body.value?.map((g) => g.id) ?? [];
    expect(await ids(U.pimActiveMember)).toContain(G.customRoleHolders);
    expect(await ids(U.pimEligibleMember)).not.toContain(G.globalAdmins);
    expect(await ids(U.eligibleThroughGroup)).not.toContain(G.globalAdmins);
    expect(await ids(U.protectedGroupDeep)).toEqual(
      expect.arrayContaining([G.board, DEMO_GROUPS.executives, DEMO_PROTECTED_GROUP_ID]),
    );
    const direct = await get(`/v1.0/users/${U.protectedGroupDeep}/memberOf?$select=id`);
    expect(direct.body.value?.map((g) => g.id)).not.toContain(DEMO_PROTECTED_GROUP_ID);
  });

  it('shows directoryRole memberships only for built-in roles held actively at tenant scope', async () => {
    const roles = async (upn: string) =>
      (await get(`/v1.0/users/${upn}/transitiveMemberOf/microsoft.graph.directoryRole?$count=true`, EVENTUAL)).body
        .value ?? [];
    expect((await roles(U.groupActiveBuiltIn)).map((r) => r.displayName)).toEqual(['Global Administrator']);
    for (const upn of [
      U.groupCustom,
      U.groupAdministrativeUnit,
      U.eligibleViaGroup,
      U.directActiveCustom,
      U.pimEligibleMember,
    ]) {
      expect(await roles(upn), upn).toEqual([]);
    }
  });

  it('pages 311 memberships at 100 (default) or $top, the nextLink keeping $select, $count and the cast', async () => {
    const base = `/v1.0/users/${DEMO_ORDINARY_MANY_GROUPS}/transitiveMemberOf/microsoft.graph.group?$select=id,isAssignableToRole&$count=true`;
    const all = await allPages(get, base, EVENTUAL);
    expect(all.sizes).toEqual([100, 100, 100, 11]);
    expect(new Set(all.items.map((g) => g.id)).size).toBe(311);
    expect(all.items.every((g) => g.isAssignableToRole === null)).toBe(true);
    expect(all.links[0]).toContain(
      '/transitiveMemberOf/microsoft.graph.group?$select=id,isAssignableToRole&$count=true&$skiptoken=100',
    );
    // The next page is still a cast: it needs the header too.
    expect((await get(all.links[0])).status).toBe(400);
    const big = await get(`${base}&$top=999`, EVENTUAL);
    expect(big.body.value).toHaveLength(311);
    expect(big.body).not.toHaveProperty('@odata.nextLink');
    expect((await get(`${base}&$top=1000`, EVENTUAL)).status).toBe(400);
  });

  it('lists owned groups, including active PIM ownership; $filter there is an advanced query', async () => {
    const owned = async (upn: string) =>
      (await get(`/v1.0/users/${upn}/ownedObjects/microsoft.graph.group?$select=id,isAssignableToRole`)).body.value;
    expect(await owned(U.roleAssignableGroupOwner)).toEqual([
      { '@odata.type': '#microsoft.graph.group', id: G.roleAdmins, isAssignableToRole: true },
    ]);
    expect(await owned(U.pimActiveOwner)).toEqual([expect.objectContaining({ id: G.roleAdmins })]);
    expect(await owned(U.pimEligibleOwner)).toEqual([]);
    const filter = `/v1.0/users/${U.roleAssignableGroupOwner}/ownedObjects?$filter=${encodeURIComponent('isAssignableToRole eq true')}`;
    expect((await get(filter)).status).toBe(400);
    expect((await get(`${filter}&$count=true`, EVENTUAL)).body['@odata.count']).toBe(1);
    expect((await get(`/v1.0/users/${U.roleAssignableGroupOwner}/ownedObjects/microsoft.graph.user`)).status).toBe(400);
  });

  it("reads groups: by id, the role-assignable ones, and a protected group's nested groups", async () => {
    const one = await get(`/v1.0/groups/${G.noRole}?$select=id,isAssignableToRole`);
    expect(one.body).toMatchObject({ id: G.noRole, isAssignableToRole: true });
    const rags = await allPages(
      get,
      `/v1.0/groups?$filter=${encodeURIComponent('isAssignableToRole eq true')}&$select=id`,
    );
    expect(new Set(rags.items.map((g) => g.id))).toEqual(
      new Set([
        DEMO_GROUPS.helpdeskAdmins,
        G.eligibleGlobalAdmins,
        G.globalAdmins,
        G.roleAdmins,
        G.auHelpdesk,
        G.customRoleHolders,
        G.noRole,
      ]),
    );
    const nested = `/v1.0/groups/${DEMO_PROTECTED_GROUP_ID}/transitiveMembers/microsoft.graph.group?$select=id&$count=true`;
    expect((await get(nested)).status).toBe(400);
    const closure = await get(nested, EVENTUAL);
    expect(new Set(closure.body.value?.map((g) => g.id))).toEqual(
      new Set([DEMO_GROUPS.executives, G.board, G.secretProject]),
    );
    expect((await userOnly(`/v1.0/groups/${G.noRole}`)).status).toBe(403);
    expect((await get(`/v1.0/groups/${G.noRole}/transitiveMemberOf`)).status).toBe(403);
  });
});
