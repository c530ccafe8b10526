import { ManagedIdentityCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_USERS,
  PASSWORD_METHOD_ID,
  WORKER_GRAPH_PERMISSIONS,
} from '../../dev/graph-emulator/index.js';
import { createTestGraphClient, startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

const decode = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

describe('TLS and the managed-identity endpoint', () => {
  let emu: TestEmulator;
  let client: Client;

  beforeAll(async () => {
    emu = await startTestEmulator();
    client = createTestGraphClient(emu);
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('is trusted through NODE_EXTRA_CA_CERTS from globalSetup, with TLS verification on', async () => {
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe(emu.env.NODE_EXTRA_CA_CERTS);
    const res = await fetch(`${emu.url}/_emulator/env`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(emu.env);
  });

  it('serves the real Graph client through the real ManagedIdentityCredential', async () => {
    const list = (await client.api(`/users/${DEMO_USERS.plain}/authentication/methods`).get()) as {
      '@odata.context': string;
      value: { '@odata.type': string; id: string }[];
    };
    expect(list['@odata.context']).toBe(
      `${emu.url}/v1.0/$metadata#users('${encodeURIComponent(DEMO_USERS.plain)}')/authentication/methods`,
    );
    expect(list.value[0]).toMatchObject({
      '@odata.type': '#microsoft.graph.passwordAuthenticationMethod',
      id: PASSWORD_METHOD_ID,
    });
    expect(list.value.map((m) => m['@odata.type'])).toContain(
      '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
    );
    const log = await emu.requests({ path: '/authentication/methods' });
    expect(log.at(-1)).toMatchObject({ method: 'GET', status: 200, app: DEMO_MANAGED_IDENTITY_APP_ID });
  });

  it('issues managed-identity tokens with the worker permissions as roles', async () => {
    const token = await new ManagedIdentityCredential().getToken('https://graph.microsoft.com/.default');
    const claims = decode(token.token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: emu.env.AUTH_ISSUER,
      tid: emu.env.AUTH_TENANT_ID,
      azp: DEMO_MANAGED_IDENTITY_APP_ID,
      idtyp: 'app',
      ver: '2.0',
    });
    expect([...(claims.roles as string[])].sort()).toEqual([...WORKER_GRAPH_PERMISSIONS].sort());
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it('rejects MI requests without the identity header, with another api-version or for another identity', async () => {
    const base = `${emu.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://graph.microsoft.com`;
    const noHeader = await fetch(base);
    expect(noHeader.status).toBe(401);
    const h = { 'x-identity-header': emu.env.IDENTITY_HEADER };
    expect((await fetch(base.replace('2019-08-01', '2017-09-01'), { headers: h })).status).toBe(400);
    const other = await fetch(`${base}&client_id=00000000-0000-0000-0000-000000000001`, { headers: h });
    expect(other.status).toBe(400);
    const unknown = await fetch(base.replace('graph.microsoft.com', 'vault.azure.net'), { headers: h });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_resource' });
    const ok = await fetch(`${base}&client_id=${DEMO_MANAGED_IDENTITY_APP_ID}`, { headers: h });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      resource: 'https://graph.microsoft.com',
      client_id: DEMO_MANAGED_IDENTITY_APP_ID,
    });
    expect(body.expires_on).toMatch(/^\d+$/);
  });
});
