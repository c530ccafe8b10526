import { ClientSecretCredential } from '@azure/identity';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_APP_ID, DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

const decode = (jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } => {
  const [h, p] = jwt.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
};

describe('emulated Entra ID', () => {
  let emu: TestEmulator;
  const tokenRequest = (form: Record<string, string>, tenant = DEMO_TENANT_ID): Promise<Response> =>
    fetch(`${emu.url}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const cc = (app: { appId: string; clientSecret: string }, scope: string): Record<string, string> => ({
    grant_type: 'client_credentials',
    client_id: app.appId,
    client_secret: app.clientSecret,
    scope,
  });

  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('publishes OpenID metadata and JWKS at the contract paths', async () => {
    const meta = (await (
      await fetch(`${emu.url}/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: emu.env.AUTH_ISSUER,
      jwks_uri: emu.env.AUTH_JWKS_URI,
      token_endpoint: emu.env.TOKEN_ENDPOINT,
    });
    expect(emu.env.AUTH_ISSUER).toBe(`${emu.url}/${DEMO_TENANT_ID}/v2.0`);
    const jwks = (await (await fetch(emu.env.AUTH_JWKS_URI)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB' });
  });

  it('issues RS256 app tokens for the API with aud = apiAppId for both scope forms, roles from the fixture', async () => {
    for (const scope of [`${DEMO_API_APP_ID}/.default`, `api://${DEMO_API_APP_ID}/.default`]) {
      const res = await tokenRequest(cc(DEMO_APPS.logicApp, scope));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBeGreaterThan(3000);
      const { header, claims } = decode(body.access_token);
      expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
      expect(typeof header.kid).toBe('string');
      expect(claims).toMatchObject({
        aud: DEMO_API_APP_ID,
        iss: emu.env.AUTH_ISSUER,
        tid: DEMO_TENANT_ID,
        azp: DEMO_APPS.logicApp.appId,
        idtyp: 'app',
        ver: '2.0',
      });
      expect(claims.roles).toEqual(['Resets.Submit', 'Resets.SubmitBulk', 'Resets.Read']);
      expect(claims.oid).toBe(claims.sub);
      expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
      expect(claims.nbf).toBe(claims.iat);
      // The token verifies against the published keys with a standard library.
      const verified = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(emu.env.AUTH_JWKS_URI)), {
        issuer: emu.env.AUTH_ISSUER,
        audience: DEMO_API_APP_ID,
      });
      expect(verified.payload.azp).toBe(DEMO_APPS.logicApp.appId);
    }
  });

  it('omits roles for an app without roles and gives Graph permissions only for the Graph audience', async () => {
    const none = decode(await emu.clientToken(DEMO_APPS.noRoles, `${DEMO_API_APP_ID}/.default`)).claims;
    expect(none.roles).toBeUndefined();
    const deployerApi = decode(await emu.clientToken(DEMO_APPS.deployer, `${DEMO_API_APP_ID}/.default`)).claims;
    expect(deployerApi.roles).toBeUndefined();
    const deployerGraph = decode(
      await emu.clientToken(DEMO_APPS.deployer, 'https://graph.microsoft.com/.default'),
    ).claims;
    expect(deployerGraph.aud).toBe('https://graph.microsoft.com');
    expect(deployerGraph.roles).toEqual(['AppRoleAssignment.ReadWrite.All', 'Application.Read.All']);
  });

  it('answers bad client credentials like Entra (AADSTS errors, 400/401)', async () => {
    const unknown = await tokenRequest(
      cc({ appId: '11111111-2222-3333-4444-555555555555', clientSecret: 'x' }, `${DEMO_API_APP_ID}/.default`),
    );
    expect(unknown.status).toBe(400);
    const u = (await unknown.json()) as Record<string, unknown>;
    expect(u).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
    expect(u.error_description).toMatch(/^AADSTS700016: Application with identifier '11111111-/);
    expect(typeof u.trace_id).toBe('string');
    expect(typeof u.correlation_id).toBe('string');

    const wrong = await tokenRequest(
      cc({ ...DEMO_APPS.servicenow, clientSecret: 'nope' }, `${DEMO_API_APP_ID}/.default`),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });

    const noSecret = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: DEMO_APPS.servicenow.appId,
      scope: 'x/.default',
    });
    expect(noSecret.status).toBe(401);
    expect(await noSecret.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000216] });

    const noDefault = await tokenRequest(cc(DEMO_APPS.servicenow, `api://${DEMO_API_APP_ID}/Resets.Submit`));
    expect(noDefault.status).toBe(400);
    expect(await noDefault.json()).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });

    const unknownResource = await tokenRequest(cc(DEMO_APPS.servicenow, 'api://unknown-api/.default'));
    expect(unknownResource.status).toBe(400);
    expect(await unknownResource.json()).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });

    const grant = await tokenRequest({
      ...cc(DEMO_APPS.servicenow, `${DEMO_API_APP_ID}/.default`),
      grant_type: 'password',
    });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });

    const missing = await tokenRequest({ grant_type: 'client_credentials', scope: 'x/.default' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request', error_codes: [900144] });

    const tenant = await tokenRequest(
      cc(DEMO_APPS.servicenow, `${DEMO_API_APP_ID}/.default`),
      '00000000-0000-0000-0000-000000000000',
    );
    expect(tenant.status).toBe(400);
    expect(await tenant.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('works with @azure/identity ClientSecretCredential via authorityHost', async () => {
    const credential = new ClientSecretCredential(
      DEMO_TENANT_ID,
      DEMO_APPS.graphWorker.appId,
      DEMO_APPS.graphWorker.clientSecret,
      {
        authorityHost: emu.env.AUTHORITY_HOST,
        disableInstanceDiscovery: true,
      },
    );
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    expect(decode(token.token).claims).toMatchObject({
      azp: DEMO_APPS.graphWorker.appId,
      aud: 'https://graph.microsoft.com',
    });
    const res = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}?$select=id`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(res.status).toBe(200);
  });

  it('rotates signing keys: the old key stays published until dropped, then its tokens are refused', async () => {
    const oldToken = await emu.clientToken(DEMO_APPS.graphWorker, 'https://graph.microsoft.com/.default');
    const oldKid = decode(oldToken).header.kid;
    const rotated = await emu.control<{ kid: string; dropped: string[] }>('POST', 'keys/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.kid).not.toBe(oldKid);
    let jwks = (await (await fetch(emu.env.AUTH_JWKS_URI)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([oldKid, rotated.body.kid]);
    const newToken = await emu.clientToken(DEMO_APPS.graphWorker, 'https://graph.microsoft.com/.default');
    expect(decode(newToken).header.kid).toBe(rotated.body.kid);
    const get = (t: string): Promise<Response> =>
      fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}?$select=id`, { headers: { authorization: `Bearer ${t}` } });
    expect((await get(oldToken)).status).toBe(200);

    const dropped = await emu.control<{ kid: string; dropped: string[] }>('POST', 'keys/rotate?drop=true');
    expect(dropped.body.dropped).toEqual([oldKid, rotated.body.kid]);
    jwks = (await (await fetch(emu.env.AUTH_JWKS_URI)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([dropped.body.kid]);
    const refused = await get(oldToken);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    expect((await emu.control('POST', 'keys/rotate?drop=maybe')).status).toBe(400);
  });
});
