// Caller authentication and authorization through the running host (security.md API1, API2, API5):
// every forged or mismatched token gets 401 and creates nothing; the route × role table is checked cell by cell;
// a caller never sees another caller's request (404, the same answer as an unknown id).
import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, demoTenant } from '../../dev/graph-emulator/index.js';
import { DEFAULT_TABLE_NAME } from '../../src/lib/store/index.js';
import { startStack, type HttpAnswer, type Stack } from '../reliability/support/stack.js';

let stack: Stack;
let validToken: string;
let claims: JWTPayload;
let realKid: string;
let realPublicKey: KeyObject;

const peggy = 'plain.peggy@contoso.example';
const single = { user: peggy, ticket: 'INC0500001', reason: 'lost_device' };

beforeAll(async () => {
  // Approval on (every CSV waits), so the approve and reject routes have requests to decide.
  stack = await startStack({
    fixture: demoTenant(),
    hostEnv: { MFA_RESET_FUNCTIONS: 'intake', APPROVAL_MIN_USERS: '25' },
  });
  await stack.startHost();
  validToken = await stack.token(DEMO_APPS.logicApp);
  claims = JSON.parse(Buffer.from(validToken.split('.')[1], 'base64url').toString('utf8')) as JWTPayload;
  const jwks = (await (await fetch(stack.emulator.env.AUTH_JWKS_URI)).json()) as { keys: { kid: string }[] };
  const first = jwks.keys[0];
  realKid = first.kid;
  realPublicKey = createPublicKey({ key: first as unknown as JsonWebKey, format: 'jwk' });
});
afterAll(async () => {
  await stack?.stop();
});

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const ownKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

async function signWith(key: KeyObject, kid: string, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

function expectProblem(r: HttpAnswer, status: number): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((r.json as { status: number }).status).toBe(status);
}

describe('forged and mismatched tokens', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const forgeries: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', () => Promise.resolve({})],
    ['an empty bearer', () => Promise.resolve({ authorization: 'Bearer ' })],
    ['a bearer that is not a JWT', () => Promise.resolve({ authorization: 'Bearer not.a.jwt' })],
    ['Basic credentials', () => Promise.resolve({ authorization: 'Basic YWRtaW46YWRtaW4=' })],
    [
      'alg none',
      () => Promise.resolve({ authorization: `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.` }),
    ],
    [
      'HS256 signed with the published public key (algorithm confusion)',
      async () => {
        const secret = realPublicKey.export({ type: 'spki', format: 'pem' });
        const token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: realKid, typ: 'JWT' })
          .sign(Buffer.from(secret));
        return { authorization: `Bearer ${token}` };
      },
    ],
    [
      'our own RSA key under the real kid',
      async () => ({ authorization: `Bearer ${await signWith(ownKey.privateKey, realKid, claims)}` }),
    ],
    [
      'our own RSA key under an unknown kid',
      async () => ({ authorization: `Bearer ${await signWith(ownKey.privateKey, 'attacker-kid', claims)}` }),
    ],
    [
      'a real token with its roles widened (payload tampered, signature kept)',
      () => {
        const [h, , s] = validToken.split('.');
        const widened = b64url({
          ...claims,
          roles: ['Resets.Submit', 'Resets.SubmitBulk', 'Resets.Read', 'Resets.Admin'],
        });
        return Promise.resolve({ authorization: `Bearer ${h}.${widened}.${s}` });
      },
    ],
    [
      'a real token for another caller (azp swapped, signature kept)',
      () => {
        const [h, , s] = validToken.split('.');
        return Promise.resolve({
          authorization: `Bearer ${h}.${b64url({ ...claims, azp: DEMO_APPS.servicenow.appId })}.${s}`,
        });
      },
    ],
    [
      'an expired token',
      async () => ({
        authorization: `Bearer ${await stack.emulator.mintToken({ appId: DEMO_APPS.logicApp.appId, resource: stack.emulator.env.AUTH_AUDIENCE, roles: ['Resets.Submit'], expiresIn: -600 })}`,
      }),
    ],
    [
      'a Microsoft Graph token (wrong audience)',
      async () => ({
        authorization: `Bearer ${await stack.emulator.mintToken({ appId: DEMO_APPS.logicApp.appId, roles: ['Resets.Submit'] })}`,
      }),
    ],
    [
      'a token for another API (wrong audience)',
      async () => ({
        authorization: `Bearer ${await stack.emulator.mintToken({ appId: DEMO_APPS.logicApp.appId, resource: stack.emulator.env.AUTH_AUDIENCE, audience: '3f1c7a52-9a0e-4c6b-8f52-1d2e3f4a5b6c', roles: ['Resets.Submit'] })}`,
      }),
    ],
    [
      'a token from another tenant (own key, foreign issuer and tid)',
      async () => {
        const foreign = '7d8e9f00-1122-4334-8556-778899aabbcc';
        const payload = { ...claims, tid: foreign, iss: `${stack.emulator.url}/${foreign}/v2.0`, exp: now() + 600 };
        return { authorization: `Bearer ${await signWith(ownKey.privateKey, 'foreign-kid', payload)}` };
      },
    ],
    [
      'a forged Easy Auth principal header without a bearer',
      () =>
        Promise.resolve({
          'x-ms-client-principal': b64url({ auth_typ: 'aad', claims: [{ typ: 'roles', val: 'Resets.SubmitBulk' }] }),
          'x-ms-client-principal-idp': 'aad',
        }),
    ],
    ['a function key without a bearer', () => Promise.resolve({ 'x-functions-key': 'c2VjcmV0LWZ1bmN0aW9uLWtleQ==' })],
  ];

  it.each(forgeries)('refuses %s with 401 on both routes', async (_name, headersFor) => {
    const headers = await headersFor();
    const post = await fetch(`${stack.url()}/api/resets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...single, ticket: 'INC0599999' }),
    });
    const postAnswer: HttpAnswer = {
      status: post.status,
      headers: post.headers,
      text: await post.text(),
      json: undefined,
    };
    expect(postAnswer.status, postAnswer.text).toBe(401);
    expect(post.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const get = await fetch(`${stack.url()}/api/resets/00000000-0000-4000-8000-000000000000`, { headers });
    expect(get.status).toBe(401);
  });

  it('accepts the genuine token (the forgeries above differ from it in one thing each)', async () => {
    const r = await stack.submit(single, { token: validToken });
    expect(r.status).toBe(202);
  });

  it('stored nothing for any forgery (the genuine request is there)', async () => {
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, DEFAULT_TABLE_NAME, {
      allowInsecureConnection: true,
    });
    let genuine = 0;
    let forged = 0;
    for await (const row of table.listEntities<Record<string, unknown>>()) {
      const text = JSON.stringify(row);
      if (text.includes('INC0500001')) genuine += 1;
      if (text.includes('INC0599999')) forged += 1;
    }
    expect(genuine).toBeGreaterThan(0); // the scan does see stored requests
    expect(forged).toBe(0);
  });
});

describe('route × role table', () => {
  const R = {
    submit: 'Resets.Submit',
    bulk: 'Resets.SubmitBulk',
    read: 'Resets.Read',
    operate: 'Resets.Operate',
    approve: 'Resets.Approve',
  };
  const roleSets: Record<string, string[]> = {
    none: [],
    read: [R.read],
    submit: [R.submit],
    bulk: [R.bulk],
    'submit+bulk': [R.submit, R.bulk],
    'submit+read': [R.submit, R.read],
    all: [R.submit, R.bulk, R.read],
    operate: [R.operate],
    approve: [R.approve],
    'unknown role': ['Resets.Admin'],
    'wrong case': ['resets.submit', 'RESETS.READ', 'resets.submitbulk'],
  };
  interface Route {
    readonly fn: string;
    /** Any one of these roles lets the call through (none listed: any valid token); a refusal names the first. */
    readonly needs: string | readonly string[];
    call(token: string, n: number): Promise<HttpAnswer>;
  }
  let ownRequestId: string;
  let toApprove: string;
  let toReject: string;
  const appId = DEMO_APPS.logicApp.appId;
  const tokenWith = (roles: string[]) =>
    stack.emulator.mintToken({ appId, resource: stack.emulator.env.AUTH_AUDIENCE, roles });

  const routes: Record<string, Route> = {
    'POST /api/resets (one user, JSON)': {
      fn: 'resets-submit',
      needs: R.submit,
      call: (t, n) =>
        stack.submit(
          { user: peggy, ticket: `INC06${String(n).padStart(5, '0')}`, reason: 'lost_device' },
          { token: t },
        ),
    },
    'POST /api/resets (several users, JSON)': {
      fn: 'resets-submit',
      needs: R.bulk,
      call: (t, n) =>
        stack.submit(
          {
            users: [peggy, 'default.push@contoso.example'],
            ticket: `INC07${String(n).padStart(5, '0')}`,
            reason: 'lost_device',
          },
          { token: t },
        ),
    },
    'POST /api/resets (CSV)': {
      fn: 'resets-submit',
      needs: R.bulk,
      call: (t, n) =>
        stack.submit(`user,ticket,reason\r\n${peggy},INC08${String(n).padStart(5, '0')},lost_device\r\n`, {
          token: t,
          contentType: 'text/csv',
        }),
    },
    // Approvers and operators read every request; others need Resets.Read and see their own.
    'GET /api/resets/{id}': {
      fn: 'resets-status',
      needs: [R.read, R.approve, R.operate],
      call: (t) => stack.get(`/api/resets/${ownRequestId}`, t),
    },
    'GET /api/resets/{id}?format=csv': {
      fn: 'resets-status',
      needs: [R.read, R.approve, R.operate],
      call: (t) => stack.get(`/api/resets/${ownRequestId}?format=csv`, t),
    },
    // One user's Temporary Access Pass: Resets.Read and the submitter only (approvers and operators get no pass).
    'GET /api/resets/{id}/items/{n}/tap': {
      fn: 'resets-item-tap',
      needs: R.read,
      call: (t) => stack.get(`/api/resets/${ownRequestId}/items/0/tap`, t),
    },
    // Requests another app submitted (a CSV, so they wait): the first approval decides, a repeat of one's own
    // decision is harmless (200).
    'POST /api/resets/{id}/approve': {
      fn: 'resets-approve',
      needs: R.approve,
      call: (t) => stack.post(`/api/resets/${toApprove}/approve`, t, { comment: 'route x role table' }),
    },
    'POST /api/resets/{id}/reject': {
      fn: 'resets-reject',
      needs: R.approve,
      call: (t) => stack.post(`/api/resets/${toReject}/reject`, t, { comment: 'route x role table' }),
    },
    'GET /api/control/breaker': {
      fn: 'control-breaker',
      needs: R.operate,
      call: (t) => stack.get('/api/control/breaker', t),
    },
    'POST /api/control/breaker/reset': {
      fn: 'control-breaker-reset',
      needs: R.operate,
      call: (t) => stack.post('/api/control/breaker/reset', t, { reason: 'route x role table' }),
    },
    // The submitter cancels its own request; an operator cancels anyone's. Cancelling twice is harmless (200).
    'POST /api/resets/{id}/cancel': {
      fn: 'resets-cancel',
      needs: [R.operate, R.submit, R.bulk],
      call: (t) => stack.post(`/api/resets/${ownRequestId}/cancel`, t),
    },
    'GET /api/control/kill-switch': {
      fn: 'control-kill-switch',
      needs: R.operate,
      call: (t) => stack.get('/api/control/kill-switch', t),
    },
    // Setting `off` (what it already is) keeps the other rows of the table unaffected.
    // Who the service sees the caller as: any valid token, no role (the CLI's whoami).
    'GET /api/me': {
      fn: 'me',
      needs: [],
      call: (t) => stack.get('/api/me', t),
    },
    'PUT /api/control/kill-switch': {
      fn: 'control-kill-switch',
      needs: R.operate,
      call: (t) => stack.put('/api/control/kill-switch', t, { mode: 'off', reason: 'route x role table' }),
    },
  };
  const allows = (spec: Route, roles: readonly string[]): boolean =>
    spec.needs.length === 0 ||
    (typeof spec.needs === 'string' ? [spec.needs] : spec.needs).some((r) => roles.includes(r));
  const named = (spec: Route): string => (typeof spec.needs === 'string' ? spec.needs : (spec.needs[0] ?? ''));

  beforeAll(async () => {
    const r = await stack.submit(
      { user: 'default.oath@contoso.example', ticket: 'INC0609999', reason: 'lost_device' },
      { token: await tokenWith([R.submit]) },
    );
    expect(r.status).toBe(202);
    ownRequestId = (r.json as { id: string }).id;
    // Submitted by another app identity (ServiceNow's service principal, another `oid`) than the table's callers.
    const bulkToken = await stack.emulator.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      resource: stack.emulator.env.AUTH_AUDIENCE,
      roles: [R.bulk],
    });
    const waiting = async (ticket: string) => {
      const answer = await stack.submit(`user,ticket,reason\r\n${peggy},${ticket},lost_device\r\n`, {
        token: bulkToken,
        contentType: 'text/csv',
      });
      expect(answer.json).toMatchObject({ status: 'awaiting_approval' });
      return (answer.json as { id: string }).id;
    };
    toApprove = await waiting('INC0609997');
    toReject = await waiting('INC0609998');
  });

  it('classifies every HTTP function the app registers', () => {
    const started = stack.host().lines.find((l) => l.includes('"event":"harness_started"'))!;
    const functions = (JSON.parse(started) as { functions: string[] }).functions
      .filter((f) => f.startsWith('http:'))
      .map((f) => f.slice('http:'.length));
    expect(new Set(functions)).toEqual(new Set(Object.values(routes).map((r) => r.fn)));
  });

  const cells = Object.entries(routes).flatMap(([route, spec]) =>
    Object.entries(roleSets).map(([roleName, roles]) => [route, roleName, allows(spec, roles)] as const),
  );
  let n = 0;
  it.each(cells)('%s with roles [%s] → allowed: %s', async (route, roleName, allowed) => {
    const spec = routes[route];
    const answer = await spec.call(await tokenWith(roleSets[roleName]), n++);
    if (allowed) {
      expect([200, 202], answer.text).toContain(answer.status);
    } else {
      expectProblem(answer, 403);
      // The refusal names a role to ask for (a caller with no submit role at all is first told about Resets.Submit).
      expect(answer.text).toMatch(
        named(spec) === R.read
          ? /Resets\.Read/
          : named(spec) === R.operate
            ? /Resets\.Operate/
            : named(spec) === R.approve
              ? /Resets\.Approve/
              : /Resets\.Submit/,
      );
    }
  });
});

describe('caller isolation', () => {
  it("a caller never sees another caller's request: 404, the same answer as an unknown id", async () => {
    const a = await stack.token(DEMO_APPS.logicApp);
    const b = await stack.token(DEMO_APPS.servicenow);
    const created = await stack.submit(
      { user: 'default.sms@contoso.example', ticket: 'INC0700001', reason: 'lost_device' },
      { token: a },
    );
    expect(created.status).toBe(202);
    const id = (created.json as { id: string }).id;

    expect([200, 202]).toContain((await stack.get(`/api/resets/${id}`, a)).status);
    const theirs = await stack.get(`/api/resets/${id}`, b);
    const theirsCsv = await stack.get(`/api/resets/${id}?format=csv`, b);
    const unknown = await stack.get('/api/resets/7b1f0c8e-2d3a-4e5f-8a9b-0c1d2e3f4a5b', b);
    for (const r of [theirs, theirsCsv, unknown]) expectProblem(r, 404);
    const strip = (r: HttpAnswer) => {
      const { instance: _i, ...rest } = r.json as Record<string, unknown>;
      return rest;
    };
    expect(strip(theirs)).toEqual(strip(unknown));
    expect(theirs.text).not.toContain('default.sms');

    // The same ticket and user from the other caller is a request of its own, not a view of the first.
    const again = await stack.submit(
      { user: 'default.sms@contoso.example', ticket: 'INC0700001', reason: 'lost_device' },
      { token: b },
    );
    expect(again.status).toBe(202);
    expect((again.json as { id: string }).id).not.toBe(id);
  });
});
