import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/fixtures/demo-tenant.js';
import { createTokenVerifier, requireRole, type TokenVerifier } from '../../src/lib/auth/index.js';
import { Roles } from '../../src/lib/domain/index.js';
import type { AuthConfig } from '../../src/lib/config/index.js';
import { ProblemException } from '../../src/lib/http/problem.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

let te: TestEmulator;
let auth: AuthConfig;
let verifier: TokenVerifier;

// A second key set we control, served over http, to forge tokens whose signature verifies but whose claims are wrong.
let jwksServer: Server;
let forgedAuth: AuthConfig;
let forgedVerifier: TokenVerifier;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let publicPem: string;
const published: JWK[] = [];

async function rejection(p: Promise<unknown>): Promise<ProblemException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ProblemException) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

async function reasonOf(v: TokenVerifier, token: string): Promise<unknown> {
  const e = await rejection(v.verify(`Bearer ${token}`));
  expect(e.problem.status).toBe(401);
  expect(e.problem.headers?.['www-authenticate']).toMatch(/^Bearer realm="mfa-reset", error="invalid_token"/);
  return e.problem.extensions?.reason;
}

function forged(claims: Record<string, unknown>, kid = 'k1') {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    tid: forgedAuth.tenantId,
    azp: 'cafe0000-0000-0000-0000-000000000001',
    oid: 'cafe0000-0000-0000-0000-0000000000aa',
    roles: ['Resets.Submit'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : forgedAuth.issuer)
    .setAudience(typeof claims.aud === 'string' ? claims.aud : forgedAuth.audience)
    .setIssuedAt(now - 10)
    .setNotBefore(typeof claims.nbf === 'number' ? claims.nbf : now - 10)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 600)
    .sign(signingKey);
}

beforeAll(async () => {
  te = await startTestEmulator();
  auth = {
    tenantId: te.env.AUTH_TENANT_ID.toLowerCase(),
    audience: te.env.AUTH_AUDIENCE.toLowerCase(),
    issuer: te.env.AUTH_ISSUER,
    jwksUri: te.env.AUTH_JWKS_URI,
  };
  verifier = createTokenVerifier(auth, { jwksCooldownMs: 0 });

  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  published.push({ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' });
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const port = (jwksServer.address() as AddressInfo).port;
  forgedAuth = {
    tenantId: '0d0d0d0d-1111-2222-3333-444444444444',
    audience: 'abcdabcd-0000-0000-0000-000000000001',
    issuer: 'https://login.microsoftonline.com/0d0d0d0d-1111-2222-3333-444444444444/v2.0',
    jwksUri: `http://127.0.0.1:${port}/keys`,
  };
  forgedVerifier = createTokenVerifier(forgedAuth, { jwksCooldownMs: 0 });
});

afterAll(async () => {
  await te?.stop();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

describe('token verification against the emulated Entra ID', () => {
  it('accepts a client-credentials token for the API and returns the caller and roles', async () => {
    const token = await te.clientToken(DEMO_APPS.servicenow, `${auth.audience}/.default`);
    const principal = await verifier.verify(`Bearer ${token}`);
    expect(principal.caller).toMatchObject({
      tenantId: auth.tenantId,
      appId: DEMO_APPS.servicenow.appId.toLowerCase(),
    });
    expect(principal.caller.objectId).toBeTruthy();
    expect(principal.roles).toEqual(expect.arrayContaining(['Resets.Submit', 'Resets.Read']));
    const claims = decodeJwt(token);
    expect(claims.idtyp).toBe('app');
    expect(principal.identity).toEqual({
      ...principal.caller,
      objectId: claims.oid,
      identityType: 'app',
      tokenId: claims.uti,
    });
  });

  it('makes the signed-in person the caller of a delegated token, keeping ids only', async () => {
    const person = await te.user(DEMO_USERS.plain);
    const token = await te.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      resource: auth.audience,
      roles: ['Resets.Submit'],
      user: person.id,
      scp: 'Resets.Access',
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      idtyp: 'user',
      scp: 'Resets.Access',
      preferred_username: person.userPrincipalName,
    });
    const principal = await verifier.verify(`Bearer ${token}`);
    expect(principal.identity).toEqual({
      tenantId: auth.tenantId,
      appId: DEMO_APPS.servicenow.appId.toLowerCase(),
      objectId: person.id,
      identityType: 'user',
      tokenId: claims.uti,
    });
    expect(principal.caller).toEqual({ tenantId: auth.tenantId, appId: principal.identity.appId, objectId: person.id });
    const text = JSON.stringify(principal).toLowerCase();
    expect(text).not.toContain(person.userPrincipalName.toLowerCase());
    expect(text).not.toContain(String(claims.name).toLowerCase());
  });

  it('accepts the api:// form of the audience', async () => {
    const token = await te.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      resource: auth.audience,
      audience: `api://${auth.audience}`,
    });
    const principal = await verifier.verify(`Bearer ${token}`);
    expect(principal.roles).toContain('Resets.Submit');
  });

  it('refuses tokens for another audience (Graph), expired ones, and a missing header', async () => {
    const graphToken = await te.clientToken(DEMO_APPS.graphReader, 'https://graph.microsoft.com/.default');
    expect(await reasonOf(verifier, graphToken)).toBe('wrong_audience');
    const expired = await te.mintToken({ appId: DEMO_APPS.servicenow.appId, resource: auth.audience, expiresIn: -600 });
    expect(await reasonOf(verifier, expired)).toBe('expired');
    const missing = await rejection(verifier.verify(undefined));
    expect(missing.problem).toMatchObject({ status: 401, extensions: { reason: 'missing_token' } });
    expect(missing.problem.headers?.['www-authenticate']).toBe('Bearer realm="mfa-reset"');
    expect((await rejection(verifier.verify('Basic dXNlcjpwYXNz'))).problem.extensions?.reason).toBe('malformed');
  });

  it('follows key rotation: a new kid is fetched, a dropped key is refused', async () => {
    const before = await te.clientToken(DEMO_APPS.servicenow, `${auth.audience}/.default`);
    await verifier.verify(`Bearer ${before}`);
    expect((await te.control('POST', 'keys/rotate')).status).toBe(200);
    const after = await te.clientToken(DEMO_APPS.servicenow, `${auth.audience}/.default`);
    await expect(verifier.verify(`Bearer ${after}`)).resolves.toBeDefined();
    expect((await te.control('POST', 'keys/rotate?drop=true')).status).toBe(200);
    // Once the cached key set is refreshed (here: a new verifier), a token signed with a dropped key is refused.
    expect(await reasonOf(createTokenVerifier(auth, { jwksCooldownMs: 0 }), after)).toBe('unknown_key');
  });
});

describe('forged tokens', () => {
  it('accepts a well-formed token signed with a published key (control case)', async () => {
    await expect(forgedVerifier.verify(`Bearer ${await forged({})}`)).resolves.toMatchObject({
      caller: { appId: 'cafe0000-0000-0000-0000-000000000001' },
    });
  });

  it.each([
    [
      'wrong issuer',
      { iss: 'https://login.microsoftonline.com/99999999-1111-2222-3333-444444444444/v2.0' },
      'wrong_issuer',
    ],
    ['v1 issuer', { iss: 'https://sts.windows.net/0d0d0d0d-1111-2222-3333-444444444444/' }, 'wrong_issuer'],
    ['wrong audience', { aud: 'https://management.azure.com' }, 'wrong_audience'],
    ['wrong tenant', { tid: '99999999-1111-2222-3333-444444444444' }, 'wrong_tenant'],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 3600 }, 'expired'],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 3600 }, 'not_yet_valid'],
    ['no tid', { tid: undefined }, 'invalid_claims'],
    ['no azp/appid', { azp: undefined }, 'invalid_claims'],
    ['idtyp app with scp', { idtyp: 'app', scp: 'Resets.Access' }, 'invalid_claims'],
    ['idtyp user without scp', { idtyp: 'user' }, 'invalid_claims'],
    ['a delegated token without oid', { scp: 'Resets.Access', oid: undefined }, 'invalid_claims'],
  ])('refuses %s', async (_name, claims, reason) => {
    expect(await reasonOf(forgedVerifier, await forged(claims))).toBe(reason);
  });

  it('tells app-only from delegated tokens by idtyp and scp (idtyp is an optional claim)', async () => {
    const identityOf = async (claims: Record<string, unknown>) =>
      (await forgedVerifier.verify(`Bearer ${await forged({ uti: 'uti-1', ...claims })}`)).identity;
    expect(await identityOf({})).toMatchObject({ identityType: 'app', tokenId: 'uti-1' });
    expect(await identityOf({ idtyp: 'app' })).toMatchObject({ identityType: 'app' });
    expect(await identityOf({ scp: 'Resets.Access' })).toMatchObject({ identityType: 'user' });
    expect(await identityOf({ idtyp: 'user', scp: 'Resets.Access' })).toMatchObject({
      identityType: 'user',
      objectId: 'cafe0000-0000-0000-0000-0000000000aa',
    });
    expect(await identityOf({ uti: undefined })).not.toHaveProperty('tokenId');
  });

  it("accepts a person's token only with the API's scope in scp (space-separated): 403 missing-scope otherwise", async () => {
    const scopeRefusal = async (v: TokenVerifier, claims: Record<string, unknown>) => {
      const e = await rejection(v.verify(`Bearer ${await forged(claims)}`));
      return { status: e.problem.status, slug: e.problem.slug, extensions: e.problem.extensions };
    };
    expect(await scopeRefusal(forgedVerifier, { scp: 'User.Read user_impersonation' })).toEqual({
      status: 403,
      slug: 'missing-scope',
      extensions: { requiredScope: 'Resets.Access', clientAppId: 'cafe0000-0000-0000-0000-000000000001' },
    });
    // A prefix or a different case is not the scope.
    expect((await scopeRefusal(forgedVerifier, { scp: 'Resets.AccessAll resets.access' })).slug).toBe('missing-scope');
    const ok = await forgedVerifier.verify(`Bearer ${await forged({ scp: 'User.Read Resets.Access' })}`);
    expect(ok.identity.identityType).toBe('user');
    // scp must be a string.
    expect(await reasonOf(forgedVerifier, await forged({ scp: ['Resets.Access'] }))).toBe('invalid_claims');
    // AUTH_SCOPE names another scope: only that one is accepted.
    const custom = createTokenVerifier({ ...forgedAuth, scope: 'Custom.Reset' }, { jwksCooldownMs: 0 });
    expect((await custom.verify(`Bearer ${await forged({ scp: 'Custom.Reset' })}`)).identity.identityType).toBe('user');
    expect((await scopeRefusal(custom, { scp: 'Resets.Access' })).slug).toBe('missing-scope');
    // App tokens are not asked for a scope.
    expect((await forgedVerifier.verify(`Bearer ${await forged({ idtyp: 'app' })}`)).identity.identityType).toBe('app');
  });

  it('tells a person without the role whom to ask, and an app which role it lacks', async () => {
    const person = await forgedVerifier.verify(`Bearer ${await forged({ scp: 'Resets.Access', roles: [] })}`);
    const app = await forgedVerifier.verify(`Bearer ${await forged({ roles: [] })}`);
    const detailOf = (p: typeof person) => {
      try {
        requireRole(p, Roles.submit);
      } catch (e) {
        if (e instanceof ProblemException) return `${e.problem.status} ${e.problem.slug} ${e.problem.detail ?? ''}`;
      }
      return 'allowed';
    };
    expect(detailOf(person)).toMatch(/^403 missing-role .*Ask an administrator to assign you .*Resets\.Submit/);
    expect(detailOf(app)).toBe(
      '403 missing-role The caller lacks the app role Resets.Submit required for this operation.',
    );
  });

  it('refuses an unknown kid, a tampered payload, alg none and HS256 keyed with the public key', async () => {
    expect(await reasonOf(forgedVerifier, await forged({}, 'not-published'))).toBe('unknown_key');

    const [h, p, s] = (await forged({})).split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    payload.roles = ['Resets.Submit', 'Resets.SubmitBulk'];
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await reasonOf(forgedVerifier, tampered)).toBe('bad_signature');

    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect(await reasonOf(forgedVerifier, none)).toBe('alg_not_allowed');

    const hs = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode(publicPem));
    expect(await reasonOf(forgedVerifier, hs)).toBe('alg_not_allowed');

    expect(await reasonOf(forgedVerifier, 'not-a-jwt')).toBe('malformed');
  });

  it('answers 503 when the signing keys cannot be fetched', async () => {
    const broken = createTokenVerifier({ ...forgedAuth, jwksUri: 'http://127.0.0.1:1/keys' }, { jwksCooldownMs: 0 });
    const e = await rejection(broken.verify(`Bearer ${await forged({})}`));
    expect(e.problem.status).toBe(503);
  });
});

describe('authorization by app role', () => {
  it('names the missing role in a 403', async () => {
    const token = await te.clientToken(DEMO_APPS.reader, `${auth.audience}/.default`);
    const principal = await verifier.verify(`Bearer ${token}`);
    expect(() => requireRole(principal, Roles.read)).not.toThrow();
    try {
      requireRole(principal, Roles.submit);
      throw new Error('expected a 403');
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemException);
      expect((e as ProblemException).problem).toMatchObject({
        status: 403,
        extensions: { requiredRole: 'Resets.Submit' },
      });
    }
  });
});
