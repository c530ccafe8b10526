// End to end through the harness's HTTP server, Azurite and the Graph emulator: what a service desk or a Logic App
// sees when it calls POST /api/resets and polls GET /api/resets/{id}.
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import {
  clientCredentialsToken,
  getStatus,
  pollLikeLogicApps,
  postResets,
  type ResetStatusView,
} from '../../dev/stack/api-client.js';
import { newTicket, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let bulkToken: string;
let singleToken: string;

beforeAll(async () => {
  stack = await startStack({ compose: { queue: { directLimit: 3, itemsPerBatch: 4 } } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  bulkToken = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS.logicApp, AUTH_AUDIENCE);
  singleToken = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS.servicenow, AUTH_AUDIENCE);
});
afterAll(async () => {
  await stack?.stop();
});

const locationOf = (headers: Headers): string => new URL(headers.get('location') ?? '', stack.url).toString();
const types = (methods: { '@odata.type': string }[]): string[] => methods.map((m) => m['@odata.type']).sort();
const password = '#microsoft.graph.passwordAuthenticationMethod';

async function submitAndWait(body: unknown, token = bulkToken, contentType?: string): Promise<ResetStatusView> {
  const accepted = await postResets(stack.url, token, body, contentType ? { contentType } : {});
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const { final } = await pollLikeLogicApps(locationOf(accepted.headers), token, { timeoutMs: 40_000 });
  expect(final.status).toBe(200);
  return final.body;
}

describe('single and bulk resets', () => {
  it('resets one user: methods gone except the password, sessions revoked', async () => {
    const before = await stack.emulator.user(DEMO_USERS.defaultOath);
    expect(types(before.methods).length).toBeGreaterThan(1);
    const status = await submitAndWait(
      { user: DEMO_USERS.defaultOath, ticket: newTicket(), reason: 'lost_device' },
      singleToken,
    );
    expect(status.status).toBe('completed');
    const [item] = status.items;
    expect(item?.outcome).toBe('reset');
    expect(item?.methodsRemoved?.length).toBe(before.methods.length - 1);
    const after = await stack.emulator.user(DEMO_USERS.defaultOath);
    expect(types(after.methods)).toEqual([password]);
    expect(Date.parse(after.signInSessionsValidFromDateTime)).toBeGreaterThan(
      Date.parse(before.signInSessionsValidFromDateTime),
    );
  });

  it('runs a CSV bulk through the fan-out: each demo user gets its outcome', async () => {
    const ticket = newTicket();
    const users = [
      DEMO_USERS.defaultSms,
      DEMO_USERS.defaultVoiceOffice,
      DEMO_USERS.passwordOnly2,
      DEMO_USERS.globalAdmin,
      DEMO_USERS.directProtected,
      'ghost.user@contoso.example',
      DEMO_USERS.deadlock,
    ];
    const csv = ['user,ticket,reason', ...users.map((u) => `${u},${ticket},compromised`)].join('\r\n');
    const status = await submitAndWait(csv, bulkToken, 'text/csv');
    expect(status.items.map((i) => [i.user, i.outcome])).toEqual([
      [DEMO_USERS.defaultSms, 'reset'],
      [DEMO_USERS.defaultVoiceOffice, 'reset'],
      [DEMO_USERS.passwordOnly2, 'nothing_to_reset'],
      [DEMO_USERS.globalAdmin, 'protected'],
      [DEMO_USERS.directProtected, 'protected'],
      ['ghost.user@contoso.example', 'not_found'],
      [DEMO_USERS.deadlock, 'reset'],
    ]);
    expect(status.counts).toMatchObject({ reset: 3, nothing_to_reset: 1, protected: 2, not_found: 1 });
    // The fan-out ran: 7 items > directLimit 3 went through reset-batches.
    const batches = stack.harness.listeners.find((l) => l.queueName === 'reset-batches');
    expect(batches?.stats.succeeded).toBeGreaterThanOrEqual(2);
    expect(types((await stack.emulator.user(DEMO_USERS.deadlock)).methods)).toEqual([password]);
    // A protected user is refused before any write: their methods are untouched.
    expect((await stack.emulator.user(DEMO_USERS.globalAdmin)).methods.length).toBeGreaterThan(1);
  });

  it('plans without deleting on a dry run', async () => {
    const before = await stack.emulator.user(DEMO_USERS.everything);
    const status = await submitAndWait({
      user: DEMO_USERS.everything,
      ticket: newTicket(),
      reason: 'other',
      options: { dryRun: true },
    });
    expect(status.items[0]?.outcome).toBe('planned');
    expect((await stack.emulator.user(DEMO_USERS.everything)).methods).toEqual(before.methods);
    const writes = await stack.emulator.requests({ path: before.id, method: 'DELETE' });
    expect(writes).toEqual([]);
  });

  it('refuses the break-glass account (PROTECTED_USERS) and reports an unknown user as not_found', async () => {
    const status = await submitAndWait({
      users: [DEMO_USERS.breakGlass, 'no.such.person@contoso.example'],
      ticket: newTicket(),
      reason: 'lost_device',
    });
    expect(status.items.map((i) => i.outcome)).toEqual(['protected', 'not_found']);
  });
});

describe('idempotency and polling', () => {
  it('answers the same request three times with one id and resets the user once', async () => {
    const body = { user: DEMO_USERS.defaultVoiceMobile, ticket: newTicket(), reason: 'lost_device' };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postResets(stack.url, singleToken, body));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const { final } = await pollLikeLogicApps(locationOf(answers[0].headers), singleToken, { timeoutMs: 30_000 });
    expect(final.body.items).toHaveLength(1);
    expect(final.body.items[0]?.outcome).toBe('reset');
    const user = await stack.emulator.user(DEMO_USERS.defaultVoiceMobile);
    const revokes = await stack.emulator.requests({ path: `${user.id}/revokeSignInSessions` });
    expect(revokes).toHaveLength(1);
  });

  it('polls like Logic Apps: 202 with Location and Retry-After while pending, then 200', async () => {
    const accepted = await postResets(stack.url, bulkToken, {
      users: [DEMO_USERS.defaultPush, DEMO_USERS.synced],
      ticket: newTicket(),
      reason: 'new_device',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('retry-after')).toBe('1');
    expect(accepted.headers.get('location')).toMatch(/\/api\/resets\/[0-9a-f-]{36}$/);
    expect(accepted.body).toMatchObject({ status: 'queued', items: 2 });
    const pending: number[] = [];
    const { final, waitsSeconds } = await pollLikeLogicApps(locationOf(accepted.headers), bulkToken, {
      onPending: (_s, wait) => pending.push(wait),
    });
    expect(final.status).toBe(200);
    expect(final.headers.get('retry-after')).toBeNull();
    expect(waitsSeconds.every((w) => w === 1)).toBe(true);
    expect(final.body.status).toBe('completed');
  });
});

describe('caller authentication and authorization', () => {
  const body = () => ({ user: DEMO_USERS.plain, ticket: newTicket(), reason: 'lost_device' });

  async function submitWith(token: string | undefined): Promise<number> {
    return (await postResets(stack.url, token, body())).status;
  }

  function resign(token: string, claims: Record<string, unknown>): string {
    const [header = '', , signature = ''] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), ...claims })).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  it('rejects tokens that are not genuine with 401', async () => {
    // Forged: claims changed (extra role), original signature kept.
    expect(await submitWith(resign(singleToken, { roles: ['Resets.SubmitBulk', 'Resets.Submit'] }))).toBe(401);
    // alg none.
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${singleToken.split('.')[1]}.`;
    expect(await submitWith(none)).toBe(401);
    // HS256 keyed with the service's public key (algorithm confusion).
    const jwks = (await (await fetch(stack.emulator.env.AUTH_JWKS_URI)).json()) as { keys: (JWK & { kid: string })[] };
    const jwk = jwks.keys[0];
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: jwk.kid })).toString('base64url');
    const payload = singleToken.split('.')[1];
    const mac = createHmac('sha256', pem).update(`${head}.${payload}`).digest('base64url');
    expect(await submitWith(`${head}.${payload}.${mac}`)).toBe(401);
    // Unknown key id: a well-formed RS256 token signed by a key the tenant never published.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = await new SignJWT(decodeJwt(singleToken))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: randomUUID() })
      .sign(privateKey);
    expect(await submitWith(stranger)).toBe(401);
    // No token at all.
    expect(await submitWith(undefined)).toBe(401);
  });

  it('rejects genuine tokens for another audience, expired ones, and those of another issuer or tenant with 401', async () => {
    const app = DEMO_APPS.servicenow.appId;
    const audience = stack.emulator.env.AUTH_AUDIENCE;
    expect(
      await submitWith(await stack.emulator.mintToken({ appId: app, resource: audience, audience: randomUUID() })),
    ).toBe(401);
    expect(await submitWith(await stack.emulator.mintToken({ appId: app, resource: audience, expiresIn: -600 }))).toBe(
      401,
    );
    // Another tenant's token from the same identity platform: a second emulator is another issuer with other keys.
    const { startTestEmulator } = await import('../support/emulator.js');
    const { demoTenant } = await import('../../dev/graph-emulator/index.js');
    const other = await startTestEmulator({ ...demoTenant(), tenantId: randomUUID() });
    try {
      const foreign = await other.mintToken({ appId: app, resource: audience });
      expect(decodeJwt(foreign).iss).not.toBe(stack.emulator.env.AUTH_ISSUER);
      expect(decodeJwt(foreign).tid).not.toBe(stack.emulator.env.AUTH_TENANT_ID);
      expect(await submitWith(foreign)).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('answers 403 when the token lacks the role, and 404 for another caller’s request', async () => {
    const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
    const readerToken = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS.reader, AUTH_AUDIENCE);
    expect(await submitWith(readerToken)).toBe(403);
    // Single-user role only: a bulk request needs Resets.SubmitBulk.
    const bulk = await postResets(stack.url, singleToken, {
      users: [DEMO_USERS.plain, DEMO_USERS.synced],
      ticket: newTicket(),
      reason: 'lost_device',
    });
    expect(bulk.status).toBe(403);

    const mine = await postResets(stack.url, bulkToken, { ...body(), options: { dryRun: true } });
    expect(mine.status).toBe(202);
    const location = locationOf(mine.headers);
    expect((await getStatus(location, readerToken)).status).toBe(404);
    expect((await getStatus(location, singleToken)).status).toBe(404);
    expect([200, 202]).toContain((await getStatus(location, bulkToken)).status);
  });
});
