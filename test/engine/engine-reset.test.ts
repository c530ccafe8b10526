import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  authenticator,
  email,
  fido2,
  hardwareOath,
  phone,
  softwareOath,
} from '../../dev/graph-emulator/fixtures/method-factory.js';
import type { FixtureUser, PreferredMethod } from '../../dev/graph-emulator/index.js';
import { typeOfOdataType } from '../../src/lib/graph/method-catalogue.js';
import type { TestEmulator } from '../support/emulator.js';
import { startTestEmulator } from '../support/emulator.js';
import type { EngineUnderTest } from './support/engine-harness.js';
import { engineFor, opts } from './support/engine-harness.js';
import {
  appCredential,
  engineTenant,
  everyMethod,
  groups,
  readerApp,
  roles,
  undocumented,
  upn,
  user,
  userId,
} from './support/engine-tenant.js';

let emu: TestEmulator;
let sut: EngineUnderTest;

const typesOf = (methods: readonly { type: string }[]): string[] => methods.map((m) => m.type).sort();
const remainingTypes = async (name: string): Promise<string[]> =>
  (await emu.user(userId(name))).methods.map((m) => typeOfOdataType(m['@odata.type']) ?? '?').sort();

async function put(u: FixtureUser): Promise<void> {
  await emu.putUser(u);
}

beforeAll(async () => {
  emu = await startTestEmulator(
    engineTenant([
      user('listed', everyMethod('listed')),
      user('listed-by-id', everyMethod('listed-by-id')),
      user('admin', everyMethod('admin'), { roles: [roles.globalAdministrator] }),
      user('eligible', everyMethod('eligible'), { eligibleRoles: [roles.globalAdministrator] }),
      user('via-group-role', everyMethod('via-group-role'), { groups: [groups.roleAssignable] }),
      user('in-protected', everyMethod('in-protected'), { groups: [groups.protected] }),
      user('in-nested', everyMethod('in-nested'), { groups: [groups.nested, groups.ordinary] }),
      user('ordinary', [phone('mobile', 9)], { groups: [groups.ordinary], preferredMethod: 'sms' }),
    ]),
  );
  sut = engineFor(emu, {
    protectedUsers: [upn('listed').toUpperCase(), userId('listed-by-id')],
    protectedGroupIds: [groups.protected],
  });
});
afterAll(async () => {
  await emu?.stop();
});
beforeEach(async () => {
  await emu.setFaults(null);
});

describe('reset engine against the emulator', () => {
  it('removes every method type but the hardware token, verifies, revokes sessions, and uses documented paths only', async () => {
    await put(user('every', everyMethod('every'), { preferredMethod: 'push' }));
    await emu.clearRequests();
    const result = await sut.engine.reset(upn('every'), opts());
    expect(result.outcome).toBe('reset');
    expect(result.userId).toBe(userId('every'));
    expect(typesOf(result.methodsRemoved)).toEqual(
      [
        'email',
        'externalAuthentication',
        'fido2',
        'fido2',
        'microsoftAuthenticator',
        'phone',
        'phone',
        'phone',
        'platformCredential',
        'qrCodePin',
        'softwareOath',
        'temporaryAccessPass',
        'windowsHelloForBusiness',
      ].sort(),
    );
    // Graph lets no application delete a hardware token: it stays, with the reason, and the reset still completes.
    const hardware = { type: 'hardwareOath', id: expect.any(String) as unknown, reason: 'delegated_admin_required' };
    expect(result.skipped).toEqual([hardware]);
    expect(result.methodsRemaining).toEqual(expect.arrayContaining([hardware]));
    expect(typesOf(result.methodsRemaining)).toEqual(['hardwareOath', 'password']);
    expect(result.sessionsRevoked).toBe(true);
    expect(result.passes).toBe(1);
    expect(result.unknownTypes).toEqual([]);
    expect(await remainingTypes('every')).toEqual(['hardwareOath', 'password']);
    const log = await emu.requests();
    expect(undocumented(log.map((r) => r.path))).toEqual([]);
    expect(
      log.filter(
        (r) =>
          r.method === 'DELETE' && /\/authentication\/(methods|passwordMethods|hardwareOathMethods)\//.test(r.path),
      ),
    ).toEqual([]);
    expect(result.graphRequestIds).toEqual(expect.arrayContaining(log.map((r) => r.requestId)));
    // The default moves to the staying token (oath) once the software token, which oath also names, is gone; every
    // delete is accepted the first time. Nothing in the result carries personal data.
    const writes = log.filter((r) => r.method === 'DELETE' || r.method === 'PATCH');
    expect(writes.every((r) => r.status === 204)).toBe(true);
    const at = (re: RegExp): number => writes.findIndex((r) => re.test(r.path));
    expect(at(/softwareOathMethods/)).toBeLessThan(at(/signInPreferences/));
    expect(at(/signInPreferences/)).toBeLessThan(at(/microsoftAuthenticatorMethods/));
    expect((await emu.user(userId('every'))).preferredMethod).toBe('oath');
    expect(JSON.stringify(result)).not.toMatch(/@mail\.example|engine\.example|\+1 ?425/);
    // Round trips on the critical path: resolve, inspect, the software token, the default's move, deletes
    // (alternateMobile among them), mobile, verify + revoke.
    expect(result.timings!.roundTrips).toBe(7);
  });

  it('portal scope removes phone, Authenticator and software OATH only; the hardware token stays the default', async () => {
    await put(user('portal', everyMethod('portal'), { preferredMethod: 'oath' }));
    const result = await sut.engine.reset(userId('portal'), opts({ methods: 'portal' }));
    expect(result.outcome).toBe('reset');
    expect(result.passes).toBe(1);
    expect(result.skipped?.map((m) => `${m.type} ${m.reason}`)).toEqual(['hardwareOath delegated_admin_required']);
    expect(typesOf(result.methodsRemoved)).toEqual([
      'microsoftAuthenticator',
      'phone',
      'phone',
      'phone',
      'softwareOath',
    ]);
    expect(await remainingTypes('portal')).toEqual(
      [
        'email',
        'externalAuthentication',
        'fido2',
        'fido2',
        'hardwareOath',
        'password',
        'platformCredential',
        'qrCodePin',
        'temporaryAccessPass',
        'windowsHelloForBusiness',
      ].sort(),
    );
    expect((await emu.user(userId('portal'))).preferredMethod).toBe('oath');
  });

  it('explicit types and keep are respected; a kept default is moved aside first', async () => {
    await put(user('explicit', everyMethod('explicit'), { preferredMethod: 'sms' }));
    const explicit = await sut.engine.reset(upn('explicit'), opts({ methods: ['fido2', 'email'] }));
    expect(typesOf(explicit.methodsRemoved)).toEqual(['email', 'fido2', 'fido2']);

    await put(user('keep', everyMethod('keep'), { preferredMethod: 'sms' }));
    await emu.clearRequests();
    const kept = await sut.engine.reset(
      upn('keep'),
      opts({ keep: ['microsoftAuthenticator', 'windowsHelloForBusiness'] }),
    );
    expect(kept.outcome).toBe('reset');
    expect(await remainingTypes('keep')).toEqual([
      'hardwareOath',
      'microsoftAuthenticator',
      'password',
      'windowsHelloForBusiness',
    ]);
    const patches = await emu.requests({ method: 'PATCH' });
    expect(patches).toHaveLength(1);
    expect((await emu.user(userId('keep'))).preferredMethod).toBe('push');
  });

  it('keeping alternateMobile leaves mobile and reports it as skipped', async () => {
    await put(user('keep-alt', [phone('mobile', 1), phone('alternateMobile', 2), fido2(userId('keep-alt'), 'synced')]));
    const result = await sut.engine.reset(
      upn('keep-alt'),
      opts({ methods: ['phone', 'fido2'], keep: [], dryRun: false }),
    );
    expect(result.outcome).toBe('reset');
    const alt = await sut.engine.reset(upn('keep-alt'), opts({ methods: ['phone'] }));
    expect(alt.outcome).toBe('nothing_to_reset');
  });

  const defaults: { name: string; preferred: PreferredMethod; lastDelete: RegExp; setsPreference?: boolean }[] = [
    { name: 'def-push', preferred: 'push', lastDelete: /microsoftAuthenticatorMethods/ },
    // A hardware token stays (Graph lets no application delete it), so it stays the default; mobile goes last.
    { name: 'def-oath', preferred: 'oath', lastDelete: /phoneMethods\/3179e48a/ },
    { name: 'def-sms', preferred: 'sms', lastDelete: /phoneMethods\/3179e48a/ },
    { name: 'def-voice-mobile', preferred: 'voiceMobile', lastDelete: /phoneMethods\/3179e48a/ },
    { name: 'def-voice-office', preferred: 'voiceOffice', lastDelete: /phoneMethods\/e37fc753/ },
    {
      name: 'def-voice-alt',
      preferred: 'voiceAlternateMobile',
      lastDelete: /phoneMethods\/3179e48a/,
      setsPreference: true,
    },
  ];
  for (const d of defaults) {
    it(`removes everything with ${d.preferred} as the default, the default last`, async () => {
      const id = userId(d.name);
      await put(
        user(
          d.name,
          [
            phone('mobile', 1),
            phone('alternateMobile', 2),
            phone('office', 3),
            authenticator(id, 'iPhone'),
            d.preferred === 'oath' ? hardwareOath(id, 7) : softwareOath(id),
            email('x@mail.example'),
          ],
          { preferredMethod: d.preferred },
        ),
      );
      await emu.clearRequests();
      const result = await sut.engine.reset(upn(d.name), opts());
      expect(result.outcome, JSON.stringify(result.error)).toBe('reset');
      expect(await remainingTypes(d.name)).toEqual(
        d.preferred === 'oath' ? ['hardwareOath', 'password'] : ['password'],
      );
      const log = await emu.requests();
      const deletes = log.filter((r) => r.method === 'DELETE');
      expect(deletes.every((r) => r.status === 204)).toBe(true); // no refusal: the order was right the first time
      expect(deletes.at(-1)!.path).toMatch(d.lastDelete);
      expect(log.some((r) => r.method === 'PATCH')).toBe(d.setsPreference === true);
    });
  }

  it('with oath naming a staying hardware token and a going software token, parks the default on another method', async () => {
    const id = userId('def-oath-both');
    await put(
      user('def-oath-both', [softwareOath(id), hardwareOath(id, 8), phone('mobile', 1)], { preferredMethod: 'oath' }),
    );
    await emu.clearRequests();
    const result = await sut.engine.reset(upn('def-oath-both'), opts());
    expect(result.outcome).toBe('reset');
    expect(result.passes).toBe(1);
    expect(await remainingTypes('def-oath-both')).toEqual(['hardwareOath', 'password']);
    const writes = (await emu.requests()).filter((r) => r.method === 'PATCH' || r.method === 'DELETE');
    expect(
      writes.map((r) => `${r.method} ${r.status} ${r.path.replace(/^.*\/authentication\/(\w+).*$/, '$1')}`),
    ).toEqual([
      'PATCH 204 signInPreferences',
      'DELETE 204 softwareOathMethods',
      'PATCH 204 signInPreferences',
      'DELETE 204 phoneMethods',
    ]);
    expect((await emu.user(id)).preferredMethod).toBe('oath');
  });

  it('breaks the alternateMobile deadlock through signInPreferences', async () => {
    await put(
      user('deadlock', [phone('mobile', 1), phone('alternateMobile', 2)], { preferredMethod: 'voiceAlternateMobile' }),
    );
    await emu.clearRequests();
    const result = await sut.engine.reset(upn('deadlock'), opts());
    expect(result.outcome).toBe('reset');
    const writes = (await emu.requests()).filter((r) => r.method === 'PATCH' || r.method === 'DELETE');
    expect(writes.map((r) => `${r.method} ${r.status} ${r.path.replace(/^.*\/authentication\//, '')}`)).toEqual([
      'PATCH 204 signInPreferences',
      'DELETE 204 phoneMethods/b6332ec1-7057-4abe-9331-3d72feddfe41',
      'DELETE 204 phoneMethods/3179e48a-750b-4051-897c-87b9720928f7',
    ]);
  });

  it('recovers when Graph counts a method it does not list: re-list and retry, then fail with a clear reason', async () => {
    await put(
      user('hidden', [phone('mobile', 1), authenticator(userId('hidden'), 'Pixel')], {
        preferredMethod: 'push',
        hiddenBlockingMethods: true,
      }),
    );
    const result = await sut.engine.reset(upn('hidden'), opts());
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('verification_failed');
    expect(result.error?.message).toMatch(/microsoftAuthenticator.*default/);
    expect(result.passes).toBe(4);
    expect(typesOf(result.methodsRemoved)).toEqual(['phone']);
    expect(typesOf(result.methodsRemaining)).toEqual(['microsoftAuthenticator', 'password']);
  });

  const protectedCases: [string, string][] = [
    ['listed', 'protected_user'],
    ['listed-by-id', 'protected_user'],
    ['admin', 'directory_role'],
    ['via-group-role', 'role_assignable_group_member'],
    ['eligible', 'eligible_role'],
    ['in-protected', 'protected_group'],
    ['in-nested', 'protected_group'],
  ];
  for (const [name, reason] of protectedCases) {
    it(`refuses a protected target (${name}: ${reason}) with zero writes`, async () => {
      await emu.clearRequests();
      const result = await sut.engine.reset(upn(name), opts());
      expect(result).toMatchObject({ outcome: 'protected', protectedReason: reason, methodsRemoved: [] });
      const writes = (await emu.requests()).filter((r) => r.method !== 'GET');
      expect(writes).toEqual([]);
      expect((await emu.user(userId(name))).methods.length).toBe(everyMethod(name).length + 1);
    });
  }

  it('an ordinary group member is not protected', async () => {
    expect((await sut.engine.reset(upn('ordinary'), opts())).outcome).toBe('reset');
  });

  it('answers not_found for an unknown user and failed for a malformed key, with no further calls', async () => {
    await emu.clearRequests();
    expect((await sut.engine.reset('ghost@engine.example', opts())).outcome).toBe('not_found');
    const bad = await sut.engine.reset("x' or 1 eq 1", opts());
    expect(bad).toMatchObject({ outcome: 'failed', error: { code: 'invalid_user_key' } });
    expect((await emu.requests()).map((r) => r.status)).toEqual([404]);
  });

  it('dry run returns the plan and writes nothing', async () => {
    await put(user('dry', everyMethod('dry'), { preferredMethod: 'voiceAlternateMobile' }));
    await emu.clearRequests();
    const result = await sut.engine.reset(upn('dry'), opts({ dryRun: true }));
    expect(result.outcome).toBe('planned');
    expect(result.planned).toHaveLength(13);
    expect(result.skipped?.map((m) => m.reason)).toEqual(['delegated_admin_required']);
    expect(result.methodsRemoved).toEqual([]);
    expect((await emu.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('with an object id as the key, reads alongside the resolve: one round trip fewer', async () => {
    const id = userId('by-id');
    await put(user('by-id', [fido2(id, 'synced'), phone('mobile', 1)], { preferredMethod: 'sms' }));
    const byUpn = await sut.engine.reset(upn('by-id'), opts({ dryRun: true }));
    expect(byUpn.timings!.roundTrips).toBe(2);
    const result = await sut.engine.reset(id.toUpperCase(), opts());
    expect(result.outcome).toBe('reset');
    // resolve + guard/list/default, fido2, the default (mobile), verify + revoke
    expect(result.timings!.roundTrips).toBe(4);
    expect(await remainingTypes('by-id')).toEqual(['password']);
    const ghost = await sut.engine.reset('0b5c9a61-7f1e-4d2c-9a8b-3e4f5a6b7c8d', opts());
    expect(ghost.outcome).toBe('not_found');
  });

  it("does not revoke, nor claim to revoke, the sessions of a B2B user, whom Graph's revoke does not reach", async () => {
    const id = userId('b2b');
    await put(user('b2b', [phone('mobile', 1), fido2(id, 'synced')], { external: true, preferredMethod: 'sms' }));
    const before = (await emu.user(id)).signInSessionsValidFromDateTime;
    await emu.clearRequests();
    const result = await sut.engine.reset(upn('b2b'), opts());
    expect(result).toMatchObject({
      outcome: 'reset',
      sessionsRevoked: false,
      sessionsNotRevokedReason: 'external_user',
    });
    expect(await remainingTypes('b2b')).toEqual(['password']);
    expect(await emu.requests({ path: 'revokeSignInSessions' })).toEqual([]);
    expect((await emu.user(id)).signInSessionsValidFromDateTime).toBe(before);
    // A guest with a local account signs in here: revoked as usual; and no reason when revoking was not asked for.
    await put(user('local-guest', [phone('mobile', 1)], { userType: 'Guest', preferredMethod: 'sms' }));
    const guest = await sut.engine.reset(upn('local-guest'), opts());
    expect(guest).toMatchObject({ outcome: 'reset', sessionsRevoked: true });
    expect(guest.sessionsNotRevokedReason).toBeUndefined();
    await put(user('b2b', [phone('mobile', 1)], { external: true, preferredMethod: 'sms' }));
    const quiet = await sut.engine.reset(upn('b2b'), opts({ revokeSessions: false }));
    expect(quiet).toMatchObject({ outcome: 'reset', sessionsRevoked: false });
    expect(quiet.sessionsNotRevokedReason).toBeUndefined();
  });

  it('password-only users have nothing to reset', async () => {
    await put(user('bare', []));
    const result = await sut.engine.reset(upn('bare'), opts());
    expect(result).toMatchObject({ outcome: 'nothing_to_reset', sessionsRevoked: false });
  });

  it('with a snapshot, deletes only what it names (a method registered since is left alone)', async () => {
    const id = userId('snap');
    await put(user('snap', [phone('mobile', 1), fido2(id, 'synced')]));
    const dry = await sut.engine.reset(upn('snap'), opts({ dryRun: true }));
    await put(user('snap', [phone('mobile', 1), fido2(id, 'synced'), authenticator(id, 'new phone')]));
    const result = await sut.engine.reset(upn('snap'), opts(), { snapshot: dry.planned });
    expect(result.outcome).toBe('reset');
    expect(typesOf(result.methodsRemoved)).toEqual(['fido2', 'phone']);
    expect(await remainingTypes('snap')).toEqual(['microsoftAuthenticator', 'password']);
  });

  it('a missing Graph permission fails the reset and names the permission', async () => {
    await put(user('perm', [phone('mobile', 1)]));
    const reader = engineFor(emu, { credential: appCredential(emu, readerApp) });
    const result = await reader.engine.reset(upn('perm'), opts());
    expect(result.outcome).toBe('failed');
    // The guard's first read is refused: the guard cannot decide, so nothing is written (guard_unavailable).
    expect(result.error).toEqual({
      code: 'guard_unavailable',
      message:
        'The protected-target check could not be completed, so nothing was changed: ' +
        "Microsoft Graph refused GET /roleManagement/directory/roleAssignments: the worker's identity lacks RoleManagement.Read.Directory",
    });
    expect(await remainingTypes('perm')).toEqual(['password', 'phone']);
  });
});
