import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MANAGED_IDENTITY_APP_ID, DEMO_USERS, PHONE_IDS, demoTenant } from '../../dev/graph-emulator/index.js';
import type { TenantFixture } from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const API = '22222222-2222-4222-8222-222222222222';
const MI = '33333333-3333-4333-8333-333333333333';
const USER = '44444444-4444-4444-8444-444444444444';

const small: TenantFixture = {
  tenantId: TENANT,
  users: [
    {
      id: USER,
      userPrincipalName: 'only@fabrikam.example',
      displayName: 'Only User',
      methods: [
        {
          '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
          id: PHONE_IDS.mobile,
          phoneNumber: '+1 4255550101',
          phoneType: 'mobile',
        },
      ],
      preferredMethod: 'sms',
    },
  ],
  apps: [
    {
      appId: MI,
      displayName: 'worker',
      roles: { 'https://graph.microsoft.com': ['UserAuthenticationMethod.ReadWrite.All'] },
    },
  ],
  managedIdentityAppId: MI,
  apiAppId: API,
};

describe('control API and robustness', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('serves env with every contract key and a readable CA', async () => {
    const env = (await emu.control<Record<string, string>>('GET', 'env')).body;
    expect(Object.keys(env).sort()).toEqual(
      [
        'AUTHORITY_HOST',
        'AUTH_AUDIENCE',
        'AUTH_ISSUER',
        'AUTH_JWKS_URI',
        'AUTH_TENANT_ID',
        'GRAPH_BASE_URL',
        'IDENTITY_ENDPOINT',
        'IDENTITY_HEADER',
        'NODE_EXTRA_CA_CERTS',
        'TOKEN_ENDPOINT',
      ].sort(),
    );
    expect(env.GRAPH_BASE_URL).toBe(emu.url);
    expect(emu.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('loads a tenant fixture, reports it, and resets back to it', async () => {
    const bad = await emu.control<{ problems: string[] }>('PUT', 'tenant', {
      ...small,
      tenantId: 'nope',
      users: [
        {
          ...small.users[0],
          methods: [
            { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'x', phoneType: 'alternateMobile' },
          ],
          groups: ['55555555-5555-4555-8555-555555555555'],
        },
      ],
      apps: [{ appId: MI, displayName: 'w', roles: { 'https://graph.microsoft.com': ['Make.Coffee'] } }],
    });
    expect(bad.status).toBe(400);
    const text = bad.body.problems.join('\n');
    expect(text).toContain('tenantId');
    const bad2 = await emu.control<{ problems: string[] }>('PUT', 'tenant', {
      ...small,
      users: [
        {
          ...small.users[0],
          methods: [
            { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'x', phoneType: 'alternateMobile' },
          ],
          groups: ['55555555-5555-4555-8555-555555555555'],
        },
      ],
      apps: [{ appId: MI, displayName: 'w', roles: { 'https://graph.microsoft.com': ['Make.Coffee'] } }],
    });
    expect(bad2.status).toBe(400);
    const text2 = bad2.body.problems.join('\n');
    expect(text2).toMatch(/fixed id/);
    expect(text2).toMatch(/needs a mobile phone/);
    expect(text2).toMatch(/unknown group/);
    expect(text2).toMatch(/Make\.Coffee/);

    const loaded = await emu.control<{ env: Record<string, string> }>('PUT', 'tenant', small);
    expect(loaded.status).toBe(200);
    expect(loaded.body.env.AUTH_TENANT_ID).toBe(TENANT);
    expect((await emu.control<{ users: number; size: string }>('GET', 'tenant')).body).toMatchObject({
      users: 1,
      size: 'S',
    });
    const token = await emu.mintToken({ appId: MI });
    const res = await fetch(`${emu.url}/v1.0/users/only@fabrikam.example/authentication/methods`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await fetch(`${emu.url}/v1.0/users/only@fabrikam.example/authentication/phoneMethods/${PHONE_IDS.mobile}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await emu.user('only@fabrikam.example')).methods).toHaveLength(1);
    await emu.reset();
    expect((await emu.user(USER)).methods).toHaveLength(2);
    expect(await emu.requests()).toEqual([]);
    await emu.loadTenant(demoTenant());
  });

  it('adds or replaces a user with PUT /_emulator/users/{key}', async () => {
    const created = await emu.control<{ id: string }>('PUT', `users/${USER}`, {
      id: USER,
      userPrincipalName: 'new@contoso.example',
      displayName: 'New User',
    });
    expect(created.status).toBe(201);
    expect((await emu.user('new@contoso.example')).methods).toHaveLength(1);
    const replaced = await emu.putUser({
      id: USER,
      userPrincipalName: 'new@contoso.example',
      displayName: 'New User',
      accountEnabled: false,
    });
    expect(replaced.accountEnabled).toBe(false);
    const clash = await emu.control('PUT', `users/${USER}`, {
      id: USER,
      userPrincipalName: DEMO_USERS.plain,
      displayName: 'x',
    });
    expect(clash.status).toBe(400);
    const mismatch = await emu.control('PUT', `users/someone@contoso.example`, {
      id: USER,
      userPrincipalName: 'new@contoso.example',
      displayName: 'x',
    });
    expect(mismatch.status).toBe(400);
    expect((await emu.control('GET', 'users/nobody@contoso.example')).status).toBe(404);
  });

  it('filters the request log by method, path, status, app and sequence', async () => {
    await emu.clearRequests();
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
    await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}?$select=id`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await fetch(`${emu.url}/v1.0/users/nobody@contoso.example`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${emu.url}/v1.0/users/nobody@contoso.example`);
    const all = await emu.requests();
    expect(all.map((r) => [r.method, r.status, r.app])).toEqual([
      ['GET', 200, DEMO_MANAGED_IDENTITY_APP_ID],
      ['GET', 404, DEMO_MANAGED_IDENTITY_APP_ID],
      ['GET', 401, null],
    ]);
    expect(all[0]).toMatchObject({ path: `/v1.0/users/${DEMO_USERS.plain}?$select=id` });
    expect(all[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(all[0].time)).not.toBeNaN();
    expect(await emu.requests({ status: 404 })).toHaveLength(1);
    expect(await emu.requests({ app: DEMO_MANAGED_IDENTITY_APP_ID })).toHaveLength(2);
    expect(await emu.requests({ since: all[1].seq })).toHaveLength(1);
    expect((await emu.control('GET', 'requests?since=abc')).status).toBe(400);
  });

  it('answers malformed control input, unknown paths and methods with clear 4xx', async () => {
    const raw = (method: string, path: string, body?: string): Promise<Response> =>
      fetch(`${emu.url}/_emulator/${path}`, { method, body, headers: { 'content-type': 'application/json' } });
    const badJson = await raw('PUT', 'faults', '{"seed":');
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect((await raw('PUT', 'tenant', '')).status).toBe(400);
    expect((await raw('GET', 'nothing-here')).status).toBe(404);
    expect((await raw('DELETE', 'env')).status).toBe(405);
    expect((await raw('PUT', 'knobs', '{"staleReadsMs":-5}')).status).toBe(400);
    expect((await raw('POST', 'tokens', '{"appId":"x"}')).status).toBe(400);
  });

  it('survives odd Graph requests: huge bodies, bad JSON, bad encodings, unknown versions and raw garbage', async () => {
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const huge = await fetch(`${emu.url}/beta/users/${DEMO_USERS.plain}/authentication/signInPreferences`, {
      method: 'PATCH',
      headers: h,
      body: 'x'.repeat(5 * 1024 * 1024),
    }).catch(() => undefined);
    if (huge) expect(huge.status).toBe(413);
    const badJson = await fetch(`${emu.url}/beta/users/${DEMO_USERS.plain}/authentication/signInPreferences`, {
      method: 'PATCH',
      headers: h,
      body: '{"a":',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
    const arrayBody = await fetch(`${emu.url}/beta/users/${DEMO_USERS.plain}/authentication/signInPreferences`, {
      method: 'PATCH',
      headers: h,
      body: '[1,2]',
    });
    expect(arrayBody.status).toBe(400);
    expect((await fetch(`${emu.url}/v1.0/users/%E0%A4%A/authentication/methods`, { headers: h })).status).toBe(400);
    expect((await fetch(`${emu.url}/v1.0/`, { headers: h })).status).toBe(400);
    expect((await fetch(`${emu.url}/v9.9/users`, { headers: h })).status).toBe(404);
    expect((await fetch(`${emu.url}/v1.0/users`, { headers: h })).status).toBe(501);
    expect((await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}`, { method: 'DELETE', headers: h })).status).toBe(
      405,
    );
    // Garbage over TLS gets a 400 and the server keeps serving.
    const ca = readFileSync(emu.env.NODE_EXTRA_CA_CERTS, 'utf8');
    const reply = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: emu.emulator.port, servername: 'localhost', ca }, () =>
        socket.write('NOT HTTP AT ALL\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}?$select=id`, { headers: h })).status).toBe(200);
  });
});
