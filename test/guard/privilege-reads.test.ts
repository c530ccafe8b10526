// The guard's Graph reads (src/lib/graph/privilege-reads.ts) against the emulator's demo tenant: each fact is read
// where Entra keeps it, every call is in Microsoft's published metadata and allowed by the worker's permissions, lists
// are paged whole, and every answer that cannot be trusted whole (a missing `value`, a nextLink elsewhere, too many
// pages, groups whose properties the token cannot read, a 403) is a failure, never a shorter list.
import type { TokenCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMINISTRATIVE_UNIT_ID,
  DEMO_CUSTOM_ROLE_ID,
  DEMO_GROUPS,
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_ORDINARY_MANY_GROUPS,
  DEMO_PRIVILEGED_USERS as P,
  DEMO_PRIVILEGE_GROUPS as G,
  DEMO_USERS,
  demoTenant,
} from '../../dev/graph-emulator/index.js';
import type { FaultConfig } from '../../dev/graph-emulator/index.js';
import { GraphCallError } from '../../src/lib/domain/index.js';
import { createGraphCredential, createGraphPort } from '../../src/lib/graph/index.js';
import type { GraphPortWithStats } from '../../src/lib/graph/index.js';
import { workerGraphPermissions } from '../../src/lib/graph/graph-permissions.js';
import { loadGraphFacts } from '../fidelity/support/graph-facts.js';
import { graphEnvFor, startTestEmulator, type TestEmulator } from '../support/emulator.js';

let emu: TestEmulator;
let graph: GraphPortWithStats;
const ids = new Map<string, string>();

const portFor = (options: { credential?: TokenCredential; guardPageCap?: number } = {}): GraphPortWithStats =>
  createGraphPort({
    baseUrl: emu.env.GRAPH_BASE_URL,
    credential: options.credential ?? createGraphCredential(),
    maxConcurrency: 16,
    maxWaitMs: 5_000,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...(options.guardPageCap ? { guardPageCap: options.guardPageCap } : {}),
  });

/** A credential whose Graph token holds exactly `roles`, minted by the emulator for the worker's app id. */
const tokenWith = (roles: readonly string[]): TokenCredential => ({
  getToken: async () => ({
    token: await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID, roles: [...roles] }),
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
});

const id = async (upn: string): Promise<string> => {
  let found = ids.get(upn);
  if (!found) {
    found = (await emu.user(upn)).id;
    ids.set(upn, found);
  }
  return found;
};

/** Matches the failure a read must end in when Graph's answer cannot be trusted whole. */
const unreadable = (what: RegExp): unknown =>
  expect.objectContaining({
    name: 'GraphCallError',
    kind: 'unreadable',
    message: expect.stringMatching(what) as unknown,
  }) as unknown;

beforeAll(async () => {
  emu = await startTestEmulator(demoTenant());
  graphEnvFor(emu);
  graph = portFor();
});
afterEach(async () => {
  await emu.setFaults(null);
  await emu.control('PUT', 'knobs', { pageSize: null });
});
afterAll(async () => {
  await emu?.stop();
});

describe("a user's privilege facts", () => {
  it('reads active and eligible roles at every scope, built-in or custom', async () => {
    const au = await graph.readUserPrivilege(await id(P.directActiveAdministrativeUnit));
    expect(au.activeRoles).toEqual([
      {
        roleDefinitionId: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
        directoryScopeId: `/administrativeUnits/${DEMO_ADMINISTRATIVE_UNIT_ID}`,
      },
    ]);
    const custom = await graph.readUserPrivilege(await id(P.directEligibleCustom));
    expect(custom.activeRoles).toEqual([]);
    expect(custom.eligibleRoles).toEqual([{ roleDefinitionId: DEMO_CUSTOM_ROLE_ID, directoryScopeId: '/' }]);
  });

  it('reads memberships (nested too), ownerships and PIM eligibilities with whether each group is role-assignable', async () => {
    const member = await graph.readUserPrivilege(await id(P.groupCustom));
    expect(member.memberOf).toEqual(
      expect.arrayContaining([
        { id: G.customRoleHolders, roleAssignable: true },
        { id: DEMO_GROUPS.allStaff, roleAssignable: false },
      ]),
    );
    const deep = await graph.readUserPrivilege(await id(P.protectedGroupDeep));
    expect(deep.memberOf.map((g) => g.id)).toEqual(
      expect.arrayContaining([G.board, DEMO_GROUPS.executives, DEMO_GROUPS.protected]),
    );
    const owner = await graph.readUserPrivilege(await id(P.roleAssignableGroupOwner));
    expect(owner.ownerOf).toEqual([{ id: G.roleAdmins, roleAssignable: true }]);

    await emu.clearRequests();
    const eligible = await graph.readUserPrivilege(await id(P.pimEligibleOwner));
    expect(eligible.eligibleFor).toEqual([{ group: { id: G.globalAdmins, roleAssignable: true }, access: 'owner' }]);
    // The eligible group was neither a membership nor an ownership: read on its own (#6).
    expect(await emu.requests({ path: `/groups/${G.globalAdmins}?` })).toHaveLength(1);
  });

  it('finds nothing for an ordinary user in 300 groups, in one page per list', async () => {
    await emu.clearRequests();
    const facts = await graph.readUserPrivilege(await id(DEMO_ORDINARY_MANY_GROUPS));
    expect(facts.memberOf.length).toBeGreaterThanOrEqual(300);
    expect(facts.memberOf.filter((g) => g.roleAssignable)).toEqual([]);
    expect([facts.activeRoles, facts.eligibleRoles, facts.ownerOf, facts.eligibleFor]).toEqual([[], [], [], []]);
    expect(await emu.requests()).toHaveLength(5);
  });
});

describe('the tenant sets', () => {
  it('lists every role-assignable group, and only those', async () => {
    const rags = await graph.listRoleAssignableGroups();
    expect(rags.sort()).toEqual(
      [
        G.eligibleGlobalAdmins,
        G.globalAdmins,
        G.roleAdmins,
        G.auHelpdesk,
        G.customRoleHolders,
        G.noRole,
        DEMO_GROUPS.helpdeskAdmins,
      ].sort(),
    );
  });

  it("lists a group's eligible principals with their kind, and its nested groups", async () => {
    const eligible = await graph.listGroupEligibilities(G.globalAdmins);
    expect(eligible).toEqual(
      expect.arrayContaining([
        { principalId: G.tier0Candidates, principalKind: 'group', access: 'member' },
        { principalId: await id(P.pimEligibleMember), principalKind: 'user', access: 'member' },
        { principalId: await id(P.pimEligibleOwner), principalKind: 'user', access: 'owner' },
      ]),
    );
    expect((await graph.listNestedGroups(DEMO_GROUPS.protected)).sort()).toEqual(
      [DEMO_GROUPS.executives, G.board, G.secretProject].sort(),
    );
  });
});

describe('as documented', () => {
  it("uses only paths Microsoft's metadata has, each allowed by the worker's permissions", async () => {
    await emu.clearRequests();
    for (const upn of [...Object.values(P), DEMO_USERS.groupRoleHelpdesk, DEMO_ORDINARY_MANY_GROUPS]) {
      await graph.readUserPrivilege(await id(upn));
    }
    const rags = await graph.listRoleAssignableGroups();
    for (const g of [...rags, G.tier0Candidates]) await graph.listGroupEligibilities(g);
    await graph.listNestedGroups(DEMO_GROUPS.protected);
    const log = await emu.requests();
    expect(log.filter((r) => r.status !== 200)).toEqual([]);
    const report = loadGraphFacts().checkTraffic(
      log.map((r) => ({ method: r.method, url: r.path })),
      [...workerGraphPermissions],
    );
    expect(report.unknownPaths).toEqual([]);
    expect(report.unpermitted).toEqual([]);
    expect(report.calls).toEqual([
      'GET /v1.0/groups',
      'GET /v1.0/groups/{id}',
      'GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.group',
      'GET /v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances',
      'GET /v1.0/roleManagement/directory/roleAssignments',
      'GET /v1.0/roleManagement/directory/roleEligibilityScheduleInstances',
      'GET /v1.0/users/{id}/ownedObjects/microsoft.graph.group',
      'GET /v1.0/users/{id}/transitiveMemberOf/microsoft.graph.group',
    ]);
  });

  it('follows every nextLink, with the advanced-query header on each page', async () => {
    const user = await id(DEMO_ORDINARY_MANY_GROUPS);
    const whole = await graph.readUserPrivilege(user);
    await emu.control('PUT', 'knobs', { pageSize: 7 });
    await emu.clearRequests();
    const paged = await graph.readUserPrivilege(user);
    expect(paged.memberOf).toEqual(whole.memberOf);
    // The emulator refuses a cast page without ConsistencyLevel (400): every page answered 200.
    const pages = await emu.requests({ path: '/transitiveMemberOf/' });
    expect(pages.length).toBe(Math.ceil(whole.memberOf.length / 7));
    expect(pages.every((r) => r.status === 200)).toBe(true);
  });
});

describe('fails closed', () => {
  const reads: { name: string; path: string; run: () => Promise<unknown> }[] = [
    {
      name: 'role assignments',
      path: '/roleAssignments',
      run: async () => graph.readUserPrivilege(await id(P.pimEligibleMember)),
    },
    {
      name: 'role eligibilities',
      path: '/roleEligibilityScheduleInstances',
      run: async () => graph.readUserPrivilege(await id(P.pimEligibleMember)),
    },
    {
      name: 'transitive memberships',
      path: '/transitiveMemberOf/',
      run: async () => graph.readUserPrivilege(await id(P.pimEligibleMember)),
    },
    {
      name: 'owned groups',
      path: '/ownedObjects/',
      run: async () => graph.readUserPrivilege(await id(P.pimEligibleMember)),
    },
    {
      name: "the user's PIM for Groups eligibilities",
      path: '/eligibilityScheduleInstances',
      run: async () => graph.readUserPrivilege(await id(P.pimEligibleMember)),
    },
    { name: 'role-assignable groups', path: '/v1.0/groups$', run: () => graph.listRoleAssignableGroups() },
    {
      name: "a group's eligible principals",
      path: '/eligibilityScheduleInstances',
      run: () => graph.listGroupEligibilities(G.globalAdmins),
    },
    {
      name: 'nested groups',
      path: '/transitiveMembers/',
      run: () => graph.listNestedGroups(DEMO_GROUPS.protected),
    },
  ];
  const fault = (path: string, outcome: NonNullable<FaultConfig['sequence']>[number]): FaultConfig => ({
    seed: 1,
    path,
    methods: ['GET'],
    retryAfter: 'none',
    sequence: [outcome],
  });

  for (const read of reads) {
    it(`${read.name}: a page without value, a nextLink to another host or version`, async () => {
      await emu.setFaults(fault(read.path, 'noValue'));
      await expect(read.run()).rejects.toEqual(unreadable(/a page without a value array/));
      await emu.setFaults(fault(read.path, 'foreignNextLink'));
      await expect(read.run()).rejects.toEqual(unreadable(/a nextLink to another host or API version/));
      await emu.setFaults(fault(read.path, 'otherVersionNextLink'));
      await expect(read.run()).rejects.toEqual(unreadable(/a nextLink to another host or API version/));
    });

    it(`${read.name}: a 403 names the permission; a 503 past the retries is a failure`, async () => {
      await emu.setFaults(fault(read.path, 403));
      const refused = await read.run().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(GraphCallError);
      expect(refused).toMatchObject({ kind: 'forbidden' });
      expect((refused as GraphCallError).permissions.some((p) => workerGraphPermissions.includes(p as never))).toBe(
        true,
      );
      await emu.setFaults({ seed: 1, path: read.path, methods: ['GET'], retryAfter: 'none', rates: { '503': 1 } });
      await expect(read.run()).rejects.toMatchObject({ name: 'GraphCallError', kind: 'unavailable' });
    });
  }

  it('stops at the page cap instead of taking the pages it has', async () => {
    await emu.control('PUT', 'knobs', { pageSize: 10 });
    const capped = portFor({ guardPageCap: 5 });
    await expect(capped.readUserPrivilege(await id(DEMO_ORDINARY_MANY_GROUPS))).rejects.toEqual(
      unreadable(/more than 5 pages/),
    );
    // Under the cap the same list is read whole.
    expect((await capped.readUserPrivilege(await id(P.groupCustom))).memberOf.length).toBeGreaterThan(1);
  });

  it('treats groups it may not read (limited information) as unreadable, not as ordinary', async () => {
    const withoutGroups = portFor({
      credential: tokenWith(workerGraphPermissions.filter((p) => p !== 'GroupMember.Read.All')),
    });
    await expect(withoutGroups.readUserPrivilege(await id(P.groupCustom))).rejects.toEqual(
      unreadable(/without securityEnabled/),
    );
    await expect(withoutGroups.listRoleAssignableGroups()).rejects.toMatchObject({ kind: 'forbidden' });
  });
});
