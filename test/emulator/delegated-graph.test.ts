// Graph's rules for a person's token on authentication methods: the delegated permission in `scp` AND an Entra admin
// role that covers the target (Authentication Administrator for non-admins, Privileged Authentication Administrator for
// admins). App-only tokens keep their behaviour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_PEOPLE,
  DEMO_USERS,
  PHONE_IDS,
  WORKER_GRAPH_PERMISSIONS,
} from '../../dev/graph-emulator/index.js';
import { PREAUTHORIZED_PUBLIC_CLIENTS } from '../../src/lib/domain/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

let emu: TestEmulator;
const WRITE = 'UserAuthenticationMethod.ReadWrite.All User.Read.All';

/** A Graph call with a delegated token of `upn` signed in to Graph PowerShell (scp as given). */
async function asPerson(upn: string, scp: string) {
  const person = await emu.user(upn);
  const token = await emu.mintToken({ appId: PREAUTHORIZED_PUBLIC_CLIENTS.graphPowerShell, user: person.id, scp });
  return async (method: string, path: string) => {
    const res = await fetch(`${emu.url}/v1.0${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as { error?: { code: string } } };
  };
}
const methodsOf = (upn: string) => `/users/${encodeURIComponent(upn)}/authentication/methods`;
const mobileOf = (upn: string) => `/users/${encodeURIComponent(upn)}/authentication/phoneMethods/${PHONE_IDS.mobile}`;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.stop();
});

describe('Graph with a delegated token on authentication methods', () => {
  it('refuses a person without an admin role, even with the permission consented (accessDenied)', async () => {
    const hana = await asPerson(DEMO_PEOPLE.helpdesk, WRITE);
    const list = await hana('GET', methodsOf(DEMO_USERS.plain));
    expect(list.status).toBe(403);
    expect(list.body.error?.code).toBe('accessDenied');
    expect((await hana('DELETE', mobileOf(DEMO_USERS.plain))).status).toBe(403);
    // Acting on themselves needs no admin role.
    expect((await hana('GET', methodsOf(DEMO_PEOPLE.helpdesk))).status).toBe(200);
  });

  it('refuses an admin role without the delegated permission in scp', async () => {
    const pat = await asPerson(DEMO_PEOPLE.admin, 'User.Read');
    expect((await pat('GET', methodsOf(DEMO_USERS.plain))).status).toBe(403);
  });

  it('lets an Authentication Administrator reset a non-admin, not an admin', async () => {
    const pat = await asPerson(DEMO_PEOPLE.admin, WRITE);
    expect((await pat('GET', methodsOf(DEMO_USERS.plain))).status).toBe(200);
    expect((await pat('DELETE', mobileOf(DEMO_USERS.plain))).status).toBe(204);
    for (const admin of [DEMO_USERS.globalAdmin, DEMO_USERS.privilegedAuthAdmin]) {
      expect((await pat('GET', methodsOf(admin))).status, admin).toBe(403);
      expect((await pat('DELETE', mobileOf(admin))).status, admin).toBe(403);
    }
    // A role-assignable group's member (Helpdesk Admins holds a role) is beyond an Authentication Administrator too.
    expect((await pat('GET', methodsOf(DEMO_USERS.groupRoleHelpdesk))).status).toBe(403);
  });

  it('lets a Privileged Authentication Administrator reset an admin', async () => {
    const bob = await asPerson(DEMO_USERS.privilegedAuthAdmin, WRITE);
    expect((await bob('GET', methodsOf(DEMO_USERS.globalAdmin))).status).toBe(200);
    expect((await bob('DELETE', mobileOf(DEMO_USERS.globalAdmin))).status).toBe(204);
  });

  it('leaves app-only tokens as they were: the permission alone decides', async () => {
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID, roles: WORKER_GRAPH_PERMISSIONS });
    const res = await fetch(`${emu.url}/v1.0${methodsOf(DEMO_USERS.pimGlobalAdmin)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
