// The emulator's device code flow and delegated tokens: through the real @azure/identity DeviceCodeCredential (MSAL),
// and by hand for the documented errors (authorization_pending, authorization_declined, bad_verification_code,
// expired_token) and Entra's refusals (consent_required, invalid_scope).
import { DeviceCodeCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEMO_API_APP_ID,
  DEMO_APPS,
  DEMO_PEOPLE,
  DEMO_TENANT_ID,
  DEMO_UNCONSENTED_CLIENT_ID,
} from '../../dev/graph-emulator/index.js';
import { createTokenVerifier } from '../../src/lib/auth/index.js';
import { API_SCOPE, PREAUTHORIZED_PUBLIC_CLIENTS, Roles } from '../../src/lib/domain/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const { azureCli, graphPowerShell } = PREAUTHORIZED_PUBLIC_CLIENTS;
const apiScope = `api://${DEMO_API_APP_ID}/${API_SCOPE}`;

type Json = Record<string, unknown>;

let emu: TestEmulator;
const post = async (path: string, form: Record<string, string>): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${emu.url}/${DEMO_TENANT_ID}/oauth2/v2.0/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Json };
};
const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${emu.url}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
};
const autoApprove = (user: string | null) => control('PUT', 'devicecode', { autoApproveAs: user });
const startCode = async (clientId: string, scope: string) => {
  const r = await post('devicecode', { client_id: clientId, scope });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { device_code: string; user_code: string; interval: number; expires_in: number; message: string };
};
const poll = (clientId: string, deviceCode: string) =>
  post('token', { grant_type: GRANT, client_id: clientId, device_code: deviceCode, scope: apiScope });

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.stop();
});
afterEach(async () => {
  vi.useRealTimers();
  await autoApprove(null);
});

describe('device code flow through DeviceCodeCredential (MSAL)', () => {
  it('signs the demo helpdesk person in and gets a v2 delegated token the intake accepts', async () => {
    await autoApprove(DEMO_PEOPLE.helpdesk);
    const hana = await emu.user(DEMO_PEOPLE.helpdesk);
    const prompts: string[] = [];
    const credential = new DeviceCodeCredential({
      tenantId: DEMO_TENANT_ID,
      clientId: azureCli,
      authorityHost: emu.url,
      disableInstanceDiscovery: true,
      userPromptCallback: (info) => {
        prompts.push(info.message);
      },
    });
    const token = await credential.getToken(apiScope);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain('/devicelogin');
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({
      aud: DEMO_API_APP_ID,
      tid: DEMO_TENANT_ID,
      azp: azureCli,
      oid: hana.id,
      scp: API_SCOPE,
      ver: '2.0',
    });
    // Through the helpdesk group: app roles assigned to a group reach its members' tokens.
    expect([...(claims.roles as string[])].sort()).toEqual([Roles.read, Roles.submit].sort());

    const verifier = createTokenVerifier({
      tenantId: emu.env.AUTH_TENANT_ID,
      audience: emu.env.AUTH_AUDIENCE,
      issuer: emu.env.AUTH_ISSUER,
      jwksUri: emu.env.AUTH_JWKS_URI,
    });
    const principal = await verifier.verify(`Bearer ${token.token}`);
    expect(principal.identity).toMatchObject({ identityType: 'user', objectId: hana.id, appId: azureCli });
    expect(principal.roles).toEqual(expect.arrayContaining([Roles.submit, Roles.read]));
  });

  it('renews silently with the refresh token for Graph: scp lists the delegated permissions consented for the client', async () => {
    await autoApprove(DEMO_PEOPLE.admin);
    const credential = new DeviceCodeCredential({
      tenantId: DEMO_TENANT_ID,
      clientId: graphPowerShell,
      authorityHost: emu.url,
      disableInstanceDiscovery: true,
      userPromptCallback: () => undefined,
    });
    await credential.getToken(apiScope);
    const before = await control('GET', 'devicecode');
    await autoApprove(null); // a second device code would now wait forever: only the refresh token can answer
    const graph = await credential.getToken('https://graph.microsoft.com/.default');
    const claims = decodeJwt(graph.token);
    expect(claims.aud).toBe('https://graph.microsoft.com');
    expect(String(claims.scp).split(' ')).toEqual(
      expect.arrayContaining(['UserAuthenticationMethod.ReadWrite.All', 'User.Read.All', 'User.Read']),
    );
    expect(claims).not.toHaveProperty('roles');
    expect((await control('GET', 'devicecode')).body.pending).toEqual(before.body.pending);
  });
});

describe('device code flow by hand', () => {
  it('answers authorization_pending until approved, then a token once; the code cannot be redeemed twice', async () => {
    const code = await startCode(azureCli, `${apiScope} openid profile offline_access`);
    expect(code).toMatchObject({ interval: 5, expires_in: 900 });
    expect(code.message).toContain(code.user_code);
    const pending = await poll(azureCli, code.device_code);
    expect(pending.status).toBe(400);
    expect(pending.body).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    const olga = await emu.user(DEMO_PEOPLE.approver);
    const approved = await control('POST', 'devicecode/approve', {
      userCode: code.user_code.toLowerCase(),
      user: DEMO_PEOPLE.approver,
    });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', userId: olga.id } });
    const done = await poll(azureCli, code.device_code);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ token_type: 'Bearer', scope: apiScope });
    expect(typeof done.body.refresh_token).toBe('string');
    expect(decodeJwt(String(done.body.id_token))).toMatchObject({ aud: azureCli, oid: olga.id });
    expect(decodeJwt(String(done.body.access_token))).toMatchObject({
      oid: olga.id,
      scp: API_SCOPE,
      roles: [Roles.approve, Roles.read],
    });
    const again = await poll(azureCli, code.device_code);
    expect(again.body).toMatchObject({ error: 'bad_verification_code' });

    // The refresh token works for its own client only.
    const refresh = { grant_type: 'refresh_token', refresh_token: String(done.body.refresh_token), scope: apiScope };
    expect((await post('token', { ...refresh, client_id: azureCli })).status).toBe(200);
    expect((await post('token', { ...refresh, client_id: graphPowerShell })).body).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a person given a role through Graph (appRoleAssignedTo, as npm run setup-entra --assign does) gets it in the next token', async () => {
    const noel = await emu.user(DEMO_PEOPLE.noRoles);
    const signIn = async (): Promise<Json> => {
      const code = await startCode(azureCli, apiScope);
      await control('POST', 'devicecode/approve', { userCode: code.user_code, user: DEMO_PEOPLE.noRoles });
      const done = await poll(azureCli, code.device_code);
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      return decodeJwt(String(done.body.access_token));
    };
    expect((await signIn()).roles ?? []).toEqual([]);

    // Documented: https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto
    const graphToken = await emu.clientToken(DEMO_APPS.deployer, 'https://graph.microsoft.com/.default');
    const graph = (path: string, init?: RequestInit) =>
      fetch(`${emu.url}/v1.0${path}`, {
        ...init,
        headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' },
      });
    const sps = (await (await graph(`/servicePrincipals?$filter=appId eq '${DEMO_API_APP_ID}'`)).json()) as {
      value: { id: string; appRoles: { id: string; value: string }[] }[];
    };
    const api = sps.value[0];
    const submit = api.appRoles.find((r) => r.value === Roles.submit);
    const res = await graph(`/servicePrincipals/${api.id}/appRoleAssignedTo`, {
      method: 'POST',
      body: JSON.stringify({ principalId: noel.id, resourceId: api.id, appRoleId: submit?.id }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await signIn()).roles).toEqual([Roles.submit]);
  });

  it('answers authorization_declined and expired_token', async () => {
    const declined = await startCode(azureCli, apiScope);
    expect((await control('POST', 'devicecode/decline', { userCode: declined.user_code })).status).toBe(200);
    expect((await poll(azureCli, declined.device_code)).body).toMatchObject({ error: 'authorization_declined' });

    const late = await startCode(azureCli, apiScope);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 16 * 60_000);
    expect((await poll(azureCli, late.device_code)).body).toMatchObject({
      error: 'expired_token',
      error_codes: [70019],
    });
    expect(
      (await control('POST', 'devicecode/approve', { userCode: late.user_code, user: DEMO_PEOPLE.admin })).status,
    ).toBe(409);
  });

  it('refuses what Entra ID refuses: unconsented client, unknown scope, two resources, unknown or confidential client', async () => {
    await autoApprove(DEMO_PEOPLE.admin);
    const unconsented = await startCode(DEMO_UNCONSENTED_CLIENT_ID, apiScope);
    const refused = await poll(DEMO_UNCONSENTED_CLIENT_ID, unconsented.device_code);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', suberror: 'consent_required', error_codes: [65001] });
    // Azure CLI is pre-authorized for Resets.Access only, not for Graph's authentication methods permission.
    const cli = await startCode(azureCli, 'https://graph.microsoft.com/UserAuthenticationMethod.ReadWrite.All');
    expect((await poll(azureCli, cli.device_code)).body).toMatchObject({ suberror: 'consent_required' });

    const badScope = await post('devicecode', {
      client_id: azureCli,
      scope: `api://${DEMO_API_APP_ID}/Resets.Everything`,
    });
    expect(badScope.body).toMatchObject({ error: 'invalid_scope', error_codes: [70011] });
    const twoResources = await post('devicecode', { client_id: azureCli, scope: `${apiScope} User.Read` });
    expect(twoResources.body).toMatchObject({ error: 'invalid_scope', error_codes: [28000] });
    const unknown = await post('devicecode', { client_id: '00000000-0000-0000-0000-0000000000ff', scope: apiScope });
    expect(unknown.body).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
    const confidential = await post('devicecode', { client_id: DEMO_APPS.servicenow.appId, scope: apiScope });
    expect(confidential.body).toMatchObject({ error: 'invalid_client', error_codes: [7000218] });
  });
});
