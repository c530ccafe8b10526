// People as callers (issue 17): a delegated token is accepted when its `scp` holds Resets.Access AND its `roles` hold
// the route's role; the person (their oid) is the requester, never a `requestedBy` naming someone else. Tokens come
// from the emulator's device code flow (Azure CLI's public client), through the running intake and Azurite.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_PEOPLE, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken } from '../../dev/stack/api-client.js';
import { API_SCOPE, PREAUTHORIZED_PUBLIC_CLIENTS, Roles } from '../../src/lib/domain/index.js';
import { newTicket, startStack, type TestStack } from '../e2e/support/stack.js';

const { azureCli } = PREAUTHORIZED_PUBLIC_CLIENTS;
type Person = keyof typeof DEMO_PEOPLE;
interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

let stack: TestStack;
const tokens = {} as Record<Person, string>;
const ids = {} as Record<Person, string>;
let ownRequest: string;
let toApprove: string;

/** A person's access token for the API, through the emulator's device code flow (signed in at once). */
async function signIn(upn: string): Promise<string> {
  const emu = stack.emulator.url;
  const put = await fetch(`${emu}/_emulator/devicecode`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ autoApproveAs: upn }),
  });
  expect(put.status).toBe(200);
  const form = (f: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(f).toString(),
  });
  const scope = `api://${stack.emulator.env.AUTH_AUDIENCE}/${API_SCOPE}`;
  const code = (await (
    await fetch(`${emu}/${DEMO_TENANT_ID}/oauth2/v2.0/devicecode`, form({ client_id: azureCli, scope }))
  ).json()) as { device_code: string };
  const token = (await (
    await fetch(
      `${emu}/${DEMO_TENANT_ID}/oauth2/v2.0/token`,
      form({ grant_type: 'device_code', client_id: azureCli, device_code: code.device_code }),
    )
  ).json()) as { access_token?: string; error?: string };
  if (!token.access_token) throw new Error(`no token for ${upn}: ${JSON.stringify(token)}`);
  return token.access_token;
}

async function call(
  method: string,
  path: string,
  token: string,
  body?: string,
  type = 'application/json',
): Promise<Answer> {
  const res = await fetch(new URL(path, stack.url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
const submitOne = (token: string, extra: object = {}) =>
  call(
    'POST',
    '/api/resets',
    token,
    JSON.stringify({ user: DEMO_USERS.plain, ticket: newTicket(), reason: 'other', ...extra }),
  );
const csv = (rows: string) => `user,ticket,reason,requestedBy\r\n${rows}`;

beforeAll(async () => {
  stack = await startStack({ mode: 'intake', env: { APPROVAL_MIN_USERS: '2' } });
  for (const person of Object.keys(DEMO_PEOPLE) as Person[]) {
    tokens[person] = await signIn(DEMO_PEOPLE[person]);
    ids[person] = String(decodeJwt(tokens[person]).oid);
  }
  const own = await submitOne(tokens.helpdesk);
  expect(own.status, own.text).toBe(202);
  ownRequest = String(own.json.id);
  const app = await clientCredentialsToken(
    stack.emulator.env.TOKEN_ENDPOINT,
    DEMO_APPS.logicApp,
    stack.emulator.env.AUTH_AUDIENCE,
  );
  const waiting = await call(
    'POST',
    '/api/resets',
    app,
    `user,ticket,reason\r\n${DEMO_USERS.plain},INC0917001,other\r\n${DEMO_USERS.defaultSms},INC0917001,other\r\n`,
    'text/csv',
  );
  expect(waiting.json, waiting.text).toMatchObject({ status: 'awaiting_approval' });
  toApprove = String(waiting.json.id);
});
afterAll(async () => {
  await stack?.stop();
});

describe('route × person', () => {
  const routes: Record<string, { needs: string[]; call: (token: string) => Promise<Answer> }> = {
    'POST /api/resets (one user)': { needs: [Roles.submit], call: (t) => submitOne(t) },
    'POST /api/resets (CSV)': {
      needs: [Roles.submitBulk],
      call: (t) => call('POST', '/api/resets', t, csv(`${DEMO_USERS.plain},${newTicket()},other,\r\n`), 'text/csv'),
    },
    'GET /api/resets/{id} (the helpdesk person’s)': {
      needs: [Roles.read, Roles.approve, Roles.operate],
      call: (t) => call('GET', `/api/resets/${ownRequest}`, t),
    },
    'POST /api/resets/{id}/approve': {
      needs: [Roles.approve],
      call: (t) => call('POST', `/api/resets/${toApprove}/approve`, t, JSON.stringify({ comment: 'person table' })),
    },
    'GET /api/control/kill-switch': { needs: [Roles.operate], call: (t) => call('GET', '/api/control/kill-switch', t) },
  };
  const cells = Object.entries(routes).flatMap(([route, spec]) =>
    (Object.keys(DEMO_PEOPLE) as Person[]).map((person) => [route, person, spec] as const),
  );
  it.each(cells)('%s as %s', async (_route, person, spec) => {
    const roles = (decodeJwt(tokens[person]).roles ?? []) as string[];
    const answer = await spec.call(tokens[person]);
    if (spec.needs.some((r) => roles.includes(r))) {
      expect([200, 202], answer.text).toContain(answer.status);
    } else {
      expect(answer.status, answer.text).toBe(403);
      expect(answer.json.type).toBe('urn:mfa-reset:problem:missing-role');
      expect(String(answer.json.detail)).toMatch(/Ask an administrator to assign you/);
    }
  });
});

describe('tokens the intake refuses', () => {
  it('a person whose token lacks Resets.Access in scp: 403 missing-scope naming the client', async () => {
    const token = await stack.emulator.mintToken({
      appId: azureCli,
      resource: stack.emulator.env.AUTH_AUDIENCE,
      user: ids.helpdesk,
      scp: 'User.Read',
      roles: [Roles.submit, Roles.read],
    });
    const answer = await submitOne(token);
    expect(answer.status, answer.text).toBe(403);
    expect(answer.json).toMatchObject({
      type: 'urn:mfa-reset:problem:missing-scope',
      requiredScope: API_SCOPE,
      clientAppId: azureCli,
    });
    expect(String(answer.json.detail)).toContain(`issued to client application ${azureCli} without the ${API_SCOPE}`);
  });

  it('an app token carrying scp: 401 invalid_claims', async () => {
    const token = await stack.emulator.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      resource: stack.emulator.env.AUTH_AUDIENCE,
      user: ids.helpdesk,
      scp: API_SCOPE,
      roles: [Roles.submit],
      idtyp: 'app',
    });
    const answer = await submitOne(token);
    expect(answer.status, answer.text).toBe(401);
    expect(answer.json).toMatchObject({ reason: 'invalid_claims' });
  });
});

describe('the person is the requester', () => {
  it('records the signed-in person by object id; no UPN in the audit or the answer', async () => {
    const audit = await stack.app.store.listAudit(ownRequest);
    const received = audit.find((e) => e.eventType === 'RequestReceived');
    expect(received?.requester).toMatchObject({ objectId: ids.helpdesk, identityType: 'user', appId: azureCli });
    expect(received).not.toHaveProperty('claimed');
    const status = await call('GET', `/api/resets/${ownRequest}`, tokens.helpdesk);
    for (const text of [JSON.stringify(audit), status.text]) expect(text).not.toContain(DEMO_PEOPLE.helpdesk);
  });

  it('refuses a requestedBy naming someone else (JSON and CSV lines); the person’s own oid is accepted and dropped', async () => {
    const other = await submitOne(tokens.helpdesk, { requestedBy: DEMO_PEOPLE.approver });
    expect(other.status, other.text).toBe(400);
    expect(other.json.errors).toEqual([expect.objectContaining({ field: 'requestedBy' })]);
    const byId = await submitOne(tokens.helpdesk, { requestedBy: ids.approver });
    expect(byId.status).toBe(400);

    const lines = csv(
      `${DEMO_USERS.plain},${newTicket()},other,${ids.admin}\r\n${DEMO_USERS.defaultSms},${newTicket()},other,${ids.helpdesk}\r\n`,
    );
    const bulk = await call('POST', '/api/resets', tokens.admin, lines, 'text/csv');
    expect(bulk.status, bulk.text).toBe(400);
    expect(bulk.json.errors).toEqual([expect.objectContaining({ line: 3 })]);

    const self = await submitOne(tokens.helpdesk, { requestedBy: ids.helpdesk });
    expect(self.status, self.text).toBe(202);
    const audit = await stack.app.store.listAudit(String(self.json.id));
    expect(audit.find((e) => e.eventType === 'RequestReceived')).not.toHaveProperty('claimed');
  });
});
