// revokeSignInSessions on an external (B2B) user succeeds without revoking anything (user-revokesigninsessions.md),
// externalUserState tells such users apart, and the 60 s authentication-methods timeout knob answers 504 at the
// timeout while the request still takes effect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MANAGED_IDENTITY_APP_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

describe('sessions of external users and the authentication-methods timeout', () => {
  let emu: TestEmulator;
  let token: string;
  const call = (path: string, method = 'GET') =>
    fetch(`${emu.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    emu = await startTestEmulator();
    token = await emu.mintToken({
      appId: DEMO_MANAGED_IDENTITY_APP_ID,
      roles: ['User.Read.All', 'User.RevokeSessions.All', 'UserAuthenticationMethod.ReadWrite.All'],
    });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('answers 200 for an external user but leaves signInSessionsValidFromDateTime unchanged', async () => {
    const guest = encodeURIComponent(DEMO_USERS.guest);
    const before = await emu.user(DEMO_USERS.guest);
    expect(before.external).toBe(true);
    const res = await call(`/v1.0/users/${guest}/revokeSignInSessions`, 'POST');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ value: true });
    expect((await emu.user(DEMO_USERS.guest)).signInSessionsValidFromDateTime).toBe(
      before.signInSessionsValidFromDateTime,
    );
    const member = await emu.user(DEMO_USERS.plain);
    expect((await call(`/v1.0/users/${DEMO_USERS.plain}/revokeSignInSessions`, 'POST')).status).toBe(200);
    expect((await emu.user(DEMO_USERS.plain)).signInSessionsValidFromDateTime).not.toBe(
      member.signInSessionsValidFromDateTime,
    );
    const state = await call(`/v1.0/users/${guest}?$select=userType,externalUserState`);
    expect(await state.json()).toMatchObject({ userType: 'Guest', externalUserState: 'Accepted' });
    const own = await call(`/v1.0/users/${DEMO_USERS.plain}?$select=externalUserState`);
    expect(await own.json()).toMatchObject({ externalUserState: null });
  });

  it('times /authentication/* requests out with 504 at authMethodsTimeoutMs; the delete still happens', async () => {
    const user = await emu.user(DEMO_USERS.defaultPush);
    const method = user.methods.find((m) => m['@odata.type'] === '#microsoft.graph.emailAuthenticationMethod');
    expect(method).toBeDefined();
    const knobs = await emu.control<{ authMethodsTimeoutMs: number }>('GET', 'knobs');
    expect(knobs.body.authMethodsTimeoutMs).toBe(60_000);
    await emu.control('PUT', 'knobs', { authMethodsTimeoutMs: 150 });
    await emu.setFaults({ seed: 1, latencyMs: { min: 400, max: 400 }, path: '/authentication/' });
    try {
      const started = Date.now();
      const res = await call(`/v1.0/users/${user.id}/authentication/emailMethods/${method?.id}`, 'DELETE');
      const elapsed = Date.now() - started;
      expect(res.status).toBe(504);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('gatewayTimeout');
      expect(elapsed).toBeLessThan(400);
      const after = await emu.user(DEMO_USERS.defaultPush);
      expect(after.methods.map((m) => m.id)).not.toContain(method?.id);
      // Paths outside the fault pattern are not affected.
      expect((await call(`/v1.0/users/${user.id}?$select=id`)).status).toBe(200);
    } finally {
      await emu.setFaults(null);
      await emu.control('PUT', 'knobs', { authMethodsTimeoutMs: 60_000 });
    }
  });
});
