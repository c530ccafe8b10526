// The guard inside the reset engine (real Graph client, real managed-identity credential, the emulator's demo
// tenant): it agrees with the emulator's own privilege model for every user of the tenant, it fails closed
// (guard_unavailable, zero writes) whenever one of its reads fails, and it runs again on every attempt, so a user who
// became privileged between two attempts of the same item is not reset by the second one.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BREAK_GLASS_UPN,
  DEMO_ORDINARY_MANY_GROUPS,
  DEMO_PRIVILEGED_USERS as P,
  DEMO_PROTECTED_GROUP_ID,
  demoTenant,
} from '../../dev/graph-emulator/index.js';
import type { FaultConfig, FixtureUser } from '../../dev/graph-emulator/index.js';
import type { MethodRef } from '../../src/lib/domain/index.js';
import { engineFor, opts, resetLikeWorker, type EngineUnderTest } from '../engine/support/engine-harness.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const fixture = demoTenant();
let emu: TestEmulator;
let sut: EngineUnderTest;

const guardConfig = { protectedUsers: [DEMO_BREAK_GLASS_UPN], protectedGroupIds: [DEMO_PROTECTED_GROUP_ID] };
const writes = async () => (await emu.requests()).filter((r) => r.method !== 'GET');

beforeAll(async () => {
  emu = await startTestEmulator(fixture);
  sut = engineFor(emu, guardConfig);
});
afterEach(async () => {
  await emu.reset();
});
afterAll(async () => {
  await emu?.stop();
});

describe('the guard agrees with the tenant model', () => {
  it('for every user of the demo tenant (dry runs of one request): protected exactly when privileged', async () => {
    const correlationId = randomUUID();
    const disagreements: string[] = [];
    let protectedCount = 0;
    for (const user of fixture.users) {
      const model = await emu.user(user.id);
      const privileged =
        (model.privilegePaths as string[]).length > 0 ||
        (model.reachableGroups as string[]).includes(DEMO_PROTECTED_GROUP_ID) ||
        user.userPrincipalName === DEMO_BREAK_GLASS_UPN;
      const result = await sut.engine.reset(user.id, opts({ dryRun: true }), { correlationId });
      if (result.outcome === 'failed') disagreements.push(`${user.userPrincipalName}: ${result.error?.code}`);
      if ((result.outcome === 'protected') !== privileged) {
        disagreements.push(`${user.userPrincipalName}: ${result.outcome}, model ${String(privileged)}`);
      }
      if (privileged) protectedCount++;
    }
    expect(disagreements).toEqual([]);
    expect(protectedCount).toBeGreaterThanOrEqual(Object.keys(P).length + 6);
    // One request reads the tenant sets once (cached under its correlation id).
    expect(await emu.requests({ path: '/v1.0/groups?' })).toHaveLength(1);
    expect(await writes()).toEqual([]);
  });

  it('reads the tenant sets afresh for another request', async () => {
    await sut.engine.reset(P.groupCustom, opts({ dryRun: true }), { correlationId: randomUUID() });
    await sut.engine.reset(P.groupCustom, opts({ dryRun: true }), { correlationId: randomUUID() });
    expect(await emu.requests({ path: '/v1.0/groups?' })).toHaveLength(2);
  });
});

describe('fails closed: guard_unavailable and no write', () => {
  const target = P.pimEligibleMember; // one PIM eligibility: every guard read is made for it
  const ordinary = DEMO_ORDINARY_MANY_GROUPS;
  const reads: Record<string, string> = {
    'role assignments': '/roleAssignments',
    'role eligibilities': '/roleEligibilityScheduleInstances',
    'transitive memberships': '/transitiveMemberOf/',
    'owned groups': '/ownedObjects/',
    'PIM for Groups eligibilities': '/eligibilityScheduleInstances',
    'an eligible group (#6)': '/v1.0/groups/[0-9a-f-]{36}$',
    'role-assignable groups': '/v1.0/groups$',
    'nested groups': '/transitiveMembers/',
  };
  const once = (path: string, outcome: NonNullable<FaultConfig['sequence']>[number]): FaultConfig => ({
    seed: 7,
    path,
    methods: ['GET'],
    retryAfter: 'none',
    sequence: [outcome],
  });

  async function expectUnavailable(key: string, message: RegExp): Promise<void> {
    const before = (await emu.user(key)).methods.length;
    await emu.clearRequests();
    // A request of its own (the worker passes the request's correlation id): the tenant sets are read afresh.
    const result = await sut.engine.reset(key, opts(), { correlationId: randomUUID() });
    expect(result.outcome, JSON.stringify(result.error)).toBe('failed');
    expect(result.error?.code).toBe('guard_unavailable');
    expect(result.error?.message).toMatch(message);
    expect(result.protectedReason).toBeUndefined();
    expect(await writes()).toEqual([]);
    expect((await emu.user(key)).methods.length).toBe(before);
  }

  for (const [read, path] of Object.entries(reads)) {
    it(`${read}: refused (403), failing past the retries (503)`, async () => {
      await emu.setFaults(once(path, 403));
      await expectUnavailable(target, /refused .*: the worker's identity lacks /);
      await emu.setFaults({ seed: 7, path, methods: ['GET'], retryAfter: 'none', rates: { '503': 1 } });
      await expectUnavailable(target, /answered 503/);
    });
    if (read !== 'an eligible group (#6)') {
      it(`${read}: cut short (no value, a nextLink elsewhere)`, async () => {
        await emu.setFaults(once(path, 'noValue'));
        await expectUnavailable(target, /could not be read whole \(a page without a value array\)/);
        await emu.setFaults(once(path, 'foreignNextLink'));
        await expectUnavailable(target, /a nextLink to another host or API version/);
      });
    }
  }

  it('a list longer than the page cap (100 pages)', async () => {
    await emu.control('PUT', 'knobs', { pageSize: 2 });
    await expectUnavailable(ordinary, /more than 100 pages/);
  });

  it('a permission removed from the worker (groups unreadable: the canary)', async () => {
    const without = engineFor(emu, {
      ...guardConfig,
      credential: {
        getToken: async () => ({
          token: await emu.mintToken({
            appId: fixture.managedIdentityAppId,
            roles: ['UserAuthenticationMethod.ReadWrite.All', 'User.Read.All', 'RoleManagement.Read.Directory'],
          }),
          expiresOnTimestamp: Date.now() + 3_600_000,
        }),
      },
    });
    const before = (await emu.user(ordinary)).methods.length;
    const result = await without.engine.reset(ordinary, opts(), { correlationId: randomUUID() });
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'guard_unavailable' } });
    expect((await emu.user(ordinary)).methods.length).toBe(before);
  });

  it('an ordinary user in 300 groups is reset when every read answers', async () => {
    const result = await sut.engine.reset(ordinary, opts(), { correlationId: randomUUID() });
    expect(result.outcome).toBe('reset');
  });
});

describe('every attempt runs the guard before its first write', () => {
  it('a retry of an item (snapshot kept) finds the user privileged since the first attempt and writes nothing', async () => {
    const user = fixture.users.find((u) => u.userPrincipalName === DEMO_ORDINARY_MANY_GROUPS) as FixtureUser;
    // Attempt 1 plans, saves its snapshot and is told to come back later at its first delete.
    await emu.setFaults({ seed: 3, path: '/authentication/', methods: ['DELETE'], retryAfter: 600, sequence: [429] });
    const state: { snapshot?: MethodRef[]; deferrals: number } = { deferrals: 0 };
    await expect(
      sut.engine.reset(user.id, opts(), {
        onPlanned: (planned) => {
          state.snapshot = [...planned];
          return Promise.resolve();
        },
      }),
    ).rejects.toMatchObject({ name: 'RetryLaterError' });
    expect(state.snapshot?.length).toBeGreaterThan(0);
    await emu.setFaults(null);

    // Meanwhile the user is made PIM-eligible for Global Administrator.
    await emu.putUser({ ...user, roleEligibilities: [{ roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10' }] });
    await emu.clearRequests();
    const second = await resetLikeWorker(sut.engine, user.id, opts(), state);
    expect(second).toMatchObject({ outcome: 'protected', protectedReason: 'eligible_role', methodsRemoved: [] });
    expect(await writes()).toEqual([]);
  });
});
