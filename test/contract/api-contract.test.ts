// Contract test: the running service (Azurite + Graph emulator + the local host harness serving the real composition
// root) answers every operation with exactly what api/openapi.yaml documents. Each answer's status must be documented,
// its content type produced, its documented headers present and its body valid against the status's schema, strictly
// (a field the spec does not document fails). The last test proves every documented (operation, status) was exercised.
// The guides' examples are exercised too: the ServiceNow call shape, the Logic Apps body, the bulk CSV template.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_BREAK_GLASS_UPN, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { callApi, createContractChecker, type ApiAnswer, type ContractChecker } from './support/contract-checker.js';
import { loadSpec } from './support/openapi.js';
import { startContractStack, type ContractStack } from './support/stack.js';
import { evaluateWorkflowValue, type WorkflowScope } from './support/workflow-expressions.js';

const limits = {
  MAX_BULK_ROWS: 20,
  MAX_BODY_BYTES: 16_384,
  CALLER_MAX_BULK_USERS_PER_HOUR: 15,
};

let stack: ContractStack;
let contract: ContractChecker;
const tokens: Record<'servicenow' | 'logicApp' | 'reader' | 'noRoles' | 'operator' | 'approver', string> = {
  operator: '',
  approver: '',
  servicenow: '',
  logicApp: '',
  reader: '',
  noRoles: '',
};
const ids: Record<string, string> = {};

beforeAll(async () => {
  contract = createContractChecker(await loadSpec());
  stack = await startContractStack({
    MAX_BULK_ROWS: String(limits.MAX_BULK_ROWS),
    MAX_BODY_BYTES: String(limits.MAX_BODY_BYTES),
    CALLER_MAX_BULK_USERS_PER_HOUR: String(limits.CALLER_MAX_BULK_USERS_PER_HOUR),
    STATUS_RETRY_AFTER_SECONDS: '1',
    PROTECTED_USERS: DEMO_BREAK_GLASS_UPN,
  });
  const scope = `api://${stack.env.AUTH_AUDIENCE}/.default`;
  for (const name of Object.keys(tokens) as (keyof typeof tokens)[]) {
    tokens[name] = await stack.emulator.clientToken(DEMO_APPS[name], scope);
  }
});

afterAll(async () => {
  await stack?.stop();
});

async function post(
  token: string | undefined,
  body: unknown,
  options: { contentType?: string; key?: string; url?: string; query?: string } = {},
): Promise<ApiAnswer> {
  const answer = await callApi(options.url ?? stack.baseUrl, 'POST', `/api/resets${options.query ?? ''}`, {
    token,
    body,
    contentType: options.contentType,
    headers: options.key ? { 'idempotency-key': options.key } : {},
  });
  // What the service accepts, the spec's request schema must accept too (connectors build bodies from it).
  if (answer.status === 202 && typeof body === 'object') contract.checkAcceptedBody(body);
  return answer;
}
const get = (token: string | undefined, id: string, query = '') =>
  callApi(stack.baseUrl, 'GET', `/api/resets/${encodeURIComponent(id)}${query}`, { token });

function submitted(answer: ApiAnswer): { id: string; items: number; location: string } {
  contract.check('SubmitReset', answer);
  expect(answer.status, answer.text).toBe(202);
  const body = answer.body as { id: string; items: number };
  const location = answer.headers.get('location') ?? '';
  expect(location.endsWith(`/api/resets/${body.id}`), location).toBe(true);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  return { id: body.id, items: body.items, location };
}

/** Polls GET until it answers 200 (every item final), checking each answer against the contract. */
async function untilFinal(token: string, id: string, deadlineMs = 30_000): Promise<ApiAnswer> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const answer = await get(token, id);
    contract.check('GetReset', answer);
    if (answer.status !== 202) return answer;
    if (Date.now() > deadline) throw new Error(`request ${id} still pending after ${deadlineMs} ms: ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface StatusBody {
  id: string;
  status: string;
  counts: Record<string, number>;
  items: {
    user: string;
    outcome?: string;
    methodsRemoved?: { type: string; id: string }[];
    methodsPlanned?: { type: string; id: string }[];
  }[];
}

describe('POST /api/resets (SubmitReset)', () => {
  it('202: one user, as the ServiceNow guide sends it (Idempotency-Key from the sys_id)', async () => {
    const sysId = '9d385017c611228701d22104cc95c371';
    const body = {
      user: DEMO_USERS.plain,
      ticket: 'RITM0012345',
      reason: 'lost_device',
      requestedBy: 'agent.smith@contoso.example',
    };
    const first = submitted(await post(tokens.servicenow, body, { key: `${sysId}-${DEMO_USERS.plain}` }));
    expect(first.items).toBe(1);
    // A retry (flow re-run, retry policy) returns the same request.
    const again = submitted(await post(tokens.servicenow, body, { key: `${sysId}-${DEMO_USERS.plain}` }));
    expect(again.id).toBe(first.id);
    ids.single = first.id;
  });

  it('202: one user with a Temporary Access Pass (options.temporaryAccessPass)', async () => {
    const body = {
      user: DEMO_USERS.defaultVoiceAlternateMobile,
      ticket: 'RITM0012399',
      reason: 'lost_device',
      options: { temporaryAccessPass: { lifetimeMinutes: 60, isUsableOnce: true } },
    };
    ids.tap = submitted(await post(tokens.servicenow, body)).id;
  });

  it('202: several users, as the Logic Apps guide posts JSON', async () => {
    const answer = await post(
      tokens.logicApp,
      {
        users: [DEMO_USERS.defaultVoiceMobile, DEMO_USERS.passwordOnly2, DEMO_BREAK_GLASS_UPN],
        ticket: 'INC0042000',
        reason: 'compromised',
        requestedBy: 'agent.smith@contoso.example',
      },
      { key: 'logic-app-run-08584712345678901234' },
    );
    const accepted = submitted(answer);
    expect(accepted.items).toBe(3);
    ids.multi = accepted.id;
  });

  it('202: the bulk CSV template, as a dry run', async () => {
    const csv = await readFile(new URL('../../docs/samples/bulk-template.csv', import.meta.url), 'utf8');
    const answer = await callApi(stack.baseUrl, 'POST', '/api/resets?dryRun=true', {
      token: tokens.logicApp,
      body: csv,
      contentType: 'text/csv',
      headers: { 'idempotency-key': 'campaign-template-dry-run' },
    });
    const accepted = submitted(answer);
    expect(accepted.items).toBe(csv.trimEnd().split('\n').length - 1);
    ids.csv = accepted.id;
  });

  it('400: names every problem of a JSON body', async () => {
    const answer = await post(tokens.logicApp, {
      users: ['not a upn', DEMO_USERS.plain],
      reason: 'because',
      surprise: true,
    });
    contract.check('SubmitReset', answer);
    expect(answer.status).toBe(400);
    const errors = (answer.body as { errors: { field?: string }[] }).errors;
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it('400: names every bad CSV row with its line number', async () => {
    const csv = 'user,ticket,reason\nnot a upn,INC1,lost_device\n' + `${DEMO_USERS.plain},INC1,lost\n`;
    const answer = await post(tokens.logicApp, csv, { contentType: 'text/csv' });
    contract.check('SubmitReset', answer);
    expect(answer.status).toBe(400);
    const lines = (answer.body as { errors: { line?: number }[] }).errors.map((e) => e.line);
    expect(lines).toEqual(expect.arrayContaining([2, 3]));
  });

  it('401: no token, an expired token, a token for another audience', async () => {
    const body = { user: DEMO_USERS.plain, ticket: 'INC1', reason: 'lost_device' };
    const expired = await stack.emulator.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      audience: stack.env.AUTH_AUDIENCE,
      roles: ['Resets.Submit'],
      expiresIn: -600,
    });
    const arm = await stack.emulator.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      audience: 'https://management.azure.com',
      roles: ['Resets.Submit'],
    });
    for (const token of [undefined, expired, arm]) {
      const answer = await post(token, body);
      contract.check('SubmitReset', answer);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('403: a caller without Resets.Submit, and one user-role caller sending several users', async () => {
    const one = await post(tokens.reader, { user: DEMO_USERS.plain, ticket: 'INC1', reason: 'lost_device' });
    contract.check('SubmitReset', one);
    expect(one.status).toBe(403);
    const many = await post(tokens.servicenow, {
      users: [DEMO_USERS.plain, DEMO_USERS.defaultSms],
      ticket: 'INC1',
      reason: 'lost_device',
    });
    contract.check('SubmitReset', many);
    expect(many.status).toBe(403);
  });

  it('413: a body over MAX_BODY_BYTES (declared or streamed)', async () => {
    const big = await post(tokens.logicApp, {
      users: [DEMO_USERS.plain],
      ticket: 'INC1',
      reason: 'other',
      requestedBy: `${'a'.repeat(limits.MAX_BODY_BYTES)}@contoso.example`,
    });
    contract.check('SubmitReset', big);
    expect(big.status).toBe(413);
    expect((big.body as { maxBytes: number }).maxBytes).toBe(limits.MAX_BODY_BYTES);
  });

  it('400: more users than MAX_BULK_ROWS, in JSON and in CSV', async () => {
    const users = Array.from({ length: limits.MAX_BULK_ROWS + 1 }, (_, i) => `bulk.user${i}@contoso.example`);
    const json = await post(tokens.logicApp, { users, ticket: 'INC1', reason: 'other' });
    contract.check('SubmitReset', json);
    expect(json.status).toBe(400);
    const csv = await post(tokens.logicApp, ['user,ticket,reason', ...users.map((u) => `${u},INC1,other`)].join('\n'), {
      contentType: 'text/csv',
    });
    contract.check('SubmitReset', csv);
    expect(csv.status).toBe(400);
  });

  it('415: a content type other than JSON or CSV', async () => {
    const answer = await post(tokens.servicenow, 'user=someone', { contentType: 'application/x-www-form-urlencoded' });
    contract.check('SubmitReset', answer);
    expect(answer.status).toBe(415);
  });

  it('422: an Idempotency-Key reused with a different body', async () => {
    const key = 'reused-key-1';
    const dryRun = { dryRun: true };
    const first = { user: DEMO_USERS.synced, ticket: 'INC7', reason: 'other', options: dryRun };
    submitted(await post(tokens.servicenow, first, { key }));
    const answer = await post(tokens.servicenow, { ...first, user: DEMO_USERS.manyGroups }, { key });
    contract.check('SubmitReset', answer);
    expect(answer.status).toBe(422);
  });

  it('409: the same request while an identical one is still being stored (concurrent retries)', async () => {
    // Identical POSTs at once: one stores the request, the others find it still being written (409, Retry-After)
    // or already stored (202, same id). Dry runs, so nothing is reset; rounds until the race shows a 409.
    const seen = new Set<number>();
    for (let round = 0; round < 30 && !seen.has(409); round++) {
      const body = {
        user: DEMO_USERS.defaultVoiceOffice,
        ticket: `INC8${round}`,
        reason: 'other',
        options: { dryRun: true },
      };
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post(tokens.servicenow, body, { key: `concurrent-${round}` })),
      );
      const ids = new Set<string>();
      for (const answer of answers) {
        contract.check('SubmitReset', answer);
        seen.add(answer.status);
        if (answer.status === 202) ids.add((answer.body as { id: string }).id);
        else expect(answer.status).toBe(409);
      }
      expect(ids.size).toBe(1);
    }
    expect([...seen]).toContain(409);
  });

  it('429: more bulk users in an hour than the caller quota', async () => {
    const users = Array.from(
      { length: limits.CALLER_MAX_BULK_USERS_PER_HOUR + 1 },
      (_, i) => `quota.user${i}@contoso.example`,
    );
    const answer = await post(tokens.logicApp, { users, ticket: 'INC9', reason: 'other' });
    contract.check('SubmitReset', answer);
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('GET /api/resets/{id} (GetReset)', () => {
  it('202 while items are pending (the intake runs alone), with Location and Retry-After to poll', async () => {
    const answer = await get(tokens.servicenow, ids.single ?? '');
    contract.check('GetReset', answer);
    expect(answer.status).toBe(202);
    expect((answer.body as StatusBody).status).toBe('queued');
    expect(answer.headers.get('location')).toBe(new URL(`/api/resets/${ids.single ?? ''}`, stack.baseUrl).toString());
  });

  it('GetItemTemporaryAccessPass: 202 while the user is pending; 400, 401, 403, 404', async () => {
    const tap = (token: string | undefined, id: string, n: string) =>
      callApi(stack.baseUrl, 'GET', `/api/resets/${encodeURIComponent(id)}/items/${n}/tap`, { token });
    const id = ids.tap ?? '';
    const pending = await tap(tokens.servicenow, id, '0');
    contract.check('GetItemTemporaryAccessPass', pending);
    expect(pending.status).toBe(202);
    expect(pending.headers.get('retry-after')).toBe('1');
    for (const [token, which, n, status] of [
      [tokens.servicenow, 'not-a-request-id', '0', 400],
      [tokens.servicenow, id, 'x', 400],
      [undefined, id, '0', 401],
      [tokens.noRoles, id, '0', 403],
      [tokens.servicenow, id, '1', 404],
      [tokens.logicApp, id, '0', 404],
      [tokens.operator, id, '0', 404], // operators read any request, never another caller's pass
    ] as const) {
      const answer = await tap(token, which, n);
      contract.check('GetItemTemporaryAccessPass', answer);
      expect(answer.status, `${which}/${n}: ${answer.text}`).toBe(status);
    }
  });

  it('400 for an id that is not a request id, or a bad format or page', async () => {
    for (const [id, query] of [
      ['not-a-request-id', ''],
      [ids.single ?? '', '?format=xml'],
      [ids.single ?? '', '?page=0'],
    ] as const) {
      const answer = await get(tokens.servicenow, id, query);
      contract.check('GetReset', answer);
      expect(answer.status).toBe(400);
    }
  });

  it("401 without a token, 403 without Resets.Read, 404 for an unknown id and for another caller's request", async () => {
    const id = ids.single ?? '';
    for (const [token, status] of [
      [undefined, 401],
      [tokens.noRoles, 403],
    ] as const) {
      const answer = await get(token, id);
      contract.check('GetReset', answer);
      expect(answer.status).toBe(status);
    }
    for (const [token, which] of [
      [tokens.servicenow, '00000000-0000-4000-8000-000000000000'],
      [tokens.logicApp, id],
    ] as const) {
      const answer = await get(token, which);
      contract.check('GetReset', answer);
      expect(answer.status).toBe(404);
    }
  });

  it("503 when the tenant's signing keys cannot be fetched (every operation)", async () => {
    const url = await stack.startIntake({ AUTH_JWKS_URI: 'https://127.0.0.1:9/keys' });
    const id = ids.single ?? '';
    const calls: [string, string, string, string, unknown][] = [
      [
        'SubmitReset',
        'POST',
        '/api/resets',
        tokens.servicenow,
        { user: DEMO_USERS.plain, ticket: 'INC1', reason: 'other' },
      ],
      ['GetReset', 'GET', `/api/resets/${id}`, tokens.servicenow, undefined],
      ['GetItemTemporaryAccessPass', 'GET', `/api/resets/${id}/items/0/tap`, tokens.servicenow, undefined],
      ['CancelReset', 'POST', `/api/resets/${id}/cancel`, tokens.servicenow, undefined],
      ['ApproveReset', 'POST', `/api/resets/${id}/approve`, tokens.approver, {}],
      ['RejectReset', 'POST', `/api/resets/${id}/reject`, tokens.approver, { comment: 'no' }],
      ['GetKillSwitch', 'GET', '/api/control/kill-switch', tokens.operator, undefined],
      ['SetKillSwitch', 'PUT', '/api/control/kill-switch', tokens.operator, { mode: 'off', reason: 'x' }],
      ['GetBreaker', 'GET', '/api/control/breaker', tokens.operator, undefined],
      ['ResetBreaker', 'POST', '/api/control/breaker/reset', tokens.operator, { reason: 'x' }],
      ['GetMe', 'GET', '/api/me', tokens.noRoles, undefined],
    ];
    for (const [operation, method, path, token, body] of calls) {
      const answer = await callApi(url, method, path, { token, body });
      contract.check(operation, answer);
      expect(answer.status, `${operation}: ${answer.text}`).toBe(503);
      expect((answer.body as { type: string }).type).toBe('urn:mfa-reset:problem:keys-unavailable');
    }
  });

  it('200 once the worker has finished every item, with per-user outcomes', async () => {
    await stack.startWorker();
    const single = (await untilFinal(tokens.servicenow, ids.single ?? '')).body as StatusBody;
    expect(single.status).toBe('completed');
    expect(single.items).toHaveLength(1);
    expect(single.items[0]).toMatchObject({ user: DEMO_USERS.plain, outcome: 'reset' });
    expect(single.items[0]?.methodsRemoved?.length).toBeGreaterThan(0);

    const multi = (await untilFinal(tokens.logicApp, ids.multi ?? '')).body as StatusBody;
    expect(Object.fromEntries(multi.items.map((item) => [item.user, item.outcome]))).toEqual({
      [DEMO_USERS.defaultVoiceMobile]: 'reset',
      [DEMO_USERS.passwordOnly2]: 'nothing_to_reset',
      [DEMO_BREAK_GLASS_UPN]: 'protected',
    });

    const dryRun = (await untilFinal(tokens.logicApp, ids.csv ?? '')).body as StatusBody;
    expect(dryRun.items.map((item) => item.outcome)).toEqual(['planned', 'planned', 'planned', 'nothing_to_reset']);
    expect(dryRun.counts).toMatchObject({ planned: 3, nothing_to_reset: 1, reset: 0 });
    // The plan is shown, and nothing was removed.
    for (const item of dryRun.items.slice(0, 3)) {
      expect(item.methodsPlanned?.length, item.user).toBeGreaterThan(0);
      expect(item.methodsRemoved).toEqual([]);
    }
  });

  it('GetItemTemporaryAccessPass 200: the pass once, then revealed; GetReset shows its terms only', async () => {
    const read = () =>
      callApi(stack.baseUrl, 'GET', `/api/resets/${ids.tap ?? ''}/items/0/tap`, { token: tokens.servicenow });
    const deadline = Date.now() + 30_000;
    let first = await read();
    while (first.status === 202 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      first = await read();
    }
    contract.check('GetItemTemporaryAccessPass', first);
    expect(first.status, first.text).toBe(200);
    const shown = (first.body as { temporaryAccessPass: { value?: string } }).temporaryAccessPass;
    expect(shown.value).toMatch(/^\S{8}$/);
    const again = await read();
    contract.check('GetItemTemporaryAccessPass', again);
    expect((again.body as { temporaryAccessPass: { revealed?: boolean } }).temporaryAccessPass.revealed).toBe(true);
    const status = await get(tokens.servicenow, ids.tap ?? '');
    contract.check('GetReset', status);
    expect(status.text).not.toContain(shown.value ?? '');
  });

  it('200 text/csv: the export of the items, one row per user', async () => {
    const answer = await get(tokens.logicApp, ids.csv ?? '', '?format=csv');
    contract.check('GetReset', answer);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/csv');
    const rows = answer.text.trimEnd().split(/\r?\n/);
    expect(rows[0]).toMatch(/^index,user,/);
    expect(rows).toHaveLength(5);
    expect(answer.headers.get('x-reset-status')).toBe('completed');
  });
});

describe('docs/samples/logic-app-reset.json, played the way Logic Apps runs it', () => {
  interface Action {
    type: string;
    inputs: { method?: string; uri?: string; headers?: Record<string, string>; body?: unknown };
  }

  it('submits, follows Location on every 202 after Retry-After, and composes the outcome from the final body', async () => {
    const sample = JSON.parse(
      await readFile(new URL('../../docs/samples/logic-app-reset.json', import.meta.url), 'utf8'),
    ) as { definition: { actions: Record<string, Action> } };
    const { actions } = sample.definition;
    const scope: WorkflowScope = {
      triggerBody: {
        user: DEMO_USERS.defaultOath,
        ticket: 'INC0099001',
        reason: 'lost_device',
        requestedBy: 'agent.smith@contoso.example',
      },
      runName: '08584712345678901234567890123CU00',
      parameters: {
        mfaResetBaseUrl: stack.baseUrl.replace(/\/$/, ''),
        mfaResetAudience: `api://${stack.env.AUTH_AUDIENCE}`,
      },
      actionBodies: {},
    };
    const http = evaluateWorkflowValue(actions.Reset_MFA?.inputs, scope) as Required<Action['inputs']>;
    // The managed identity's token stands in for the Logic App's (same audience, same roles).
    let answer = await callApi(stack.baseUrl, http.method, http.uri, {
      token: tokens.logicApp,
      body: http.body,
      headers: http.headers,
    });
    contract.check('SubmitReset', answer);
    contract.checkAcceptedBody(http.body);
    let polls = 0;
    while (answer.status === 202) {
      const location = answer.headers.get('location');
      expect(location, 'every 202 carries a Location').toBeTruthy();
      await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after')) * 1000));
      answer = await callApi(stack.baseUrl, 'GET', location ?? '', { token: tokens.logicApp });
      contract.check('GetReset', answer);
      expect(++polls).toBeLessThan(60);
    }
    expect(answer.status).toBe(200);

    const bodies = { Reset_MFA: answer.body };
    const outcome = evaluateWorkflowValue(actions.Outcome?.inputs, { ...scope, actionBodies: bodies });
    expect(outcome).toMatchObject({
      requestId: (answer.body as { id: string }).id,
      status: 'completed',
      outcome: 'reset',
      counts: { reset: 1 },
    });
    const response = evaluateWorkflowValue(actions.Respond_with_outcome?.inputs, {
      ...scope,
      actionBodies: bodies,
      actionOutputs: { Outcome: outcome },
    });
    expect(response).toMatchObject({ statusCode: 200, body: outcome });
  });
});

describe('POST /api/resets/{id}/cancel', () => {
  const cancel = (token: string | undefined, id: string) =>
    callApi(stack.baseUrl, 'POST', `/api/resets/${encodeURIComponent(id)}/cancel`, { token });

  it('200 for the submitter, twice; 400, 401, 403 and 404 as for GET', async () => {
    const { id } = submitted(
      await post(tokens.logicApp, {
        users: [DEMO_USERS.defaultSms, DEMO_USERS.defaultPush],
        ticket: 'INC0900001',
        reason: 'other',
        options: { dryRun: true },
      }),
    );
    for (let i = 0; i < 2; i++) {
      const answer = await cancel(tokens.logicApp, id);
      contract.check('CancelReset', answer);
      expect(answer.status, answer.text).toBe(200);
      const body = answer.body as { cancelled: number; finishing: number[]; total: number };
      expect(body.total).toBe(2);
    }
    for (const [token, which, status] of [
      [tokens.logicApp, 'not-a-request-id', 400],
      [undefined, id, 401],
      [tokens.reader, id, 403],
      [tokens.servicenow, id, 404],
    ] as const) {
      const answer = await cancel(token, which);
      contract.check('CancelReset', answer);
      expect(answer.status, answer.text).toBe(status);
    }
    const status = await get(tokens.logicApp, id);
    contract.check('GetReset', status);
    expect((status.body as { cancelledAt?: string }).cancelledAt).toBeDefined();
  });
});

describe('GET and PUT /api/control/kill-switch', () => {
  it('200 for an operator, 400 for a bad body, 401 without a token, 403 without Resets.Operate', async () => {
    const call = (method: 'GET' | 'PUT', token: string | undefined, body?: unknown) =>
      callApi(stack.baseUrl, method, '/api/control/kill-switch', { token, body });
    const checks: [string, ApiAnswer, number][] = [
      ['GetKillSwitch', await call('GET', tokens.operator), 200],
      ['GetKillSwitch', await call('GET', undefined), 401],
      ['GetKillSwitch', await call('GET', tokens.reader), 403],
      ['SetKillSwitch', await call('PUT', tokens.operator, { mode: 'off', reason: 'contract test' }), 200],
      ['SetKillSwitch', await call('PUT', tokens.operator, { mode: 'halt' }), 400],
      ['SetKillSwitch', await call('PUT', tokens.operator, { mode: 'off', reason: 'x'.repeat(17_000) }), 413],
      ['SetKillSwitch', await call('PUT', undefined, { mode: 'off', reason: 'x' }), 401],
      ['SetKillSwitch', await call('PUT', tokens.logicApp, { mode: 'off', reason: 'x' }), 403],
    ];
    for (const [operation, answer, status] of checks) {
      contract.check(operation, answer);
      expect(answer.status, `${operation}: ${answer.text}`).toBe(status);
    }
  });

  it('400 for an empty PUT names every missing field', async () => {
    const answer = await callApi(stack.baseUrl, 'PUT', '/api/control/kill-switch', { token: tokens.operator });
    contract.check('SetKillSwitch', answer);
    expect(answer.status, answer.text).toBe(400);
    const fields = (answer.body as { errors: { field?: string }[] }).errors.map((e) => e.field).sort();
    expect(fields).toEqual(['mode', 'reason']);
  });
});

describe('approval: POST /api/resets/{id}/approve and /reject (ApproveReset, RejectReset)', () => {
  // An intake with approval on (as in production: APPROVAL_MIN_USERS > 0), on the same storage. Its caller quota is
  // off so these requests leave the bulk quota of the 429 test alone.
  let approvalUrl = '';
  const waiting: Record<'approve' | 'reject' | 'lapse', string> = { approve: '', reject: '', lapse: '' };
  const problemType = (answer: ApiAnswer) => (answer.body as { type?: string }).type;
  const decide = (
    decision: 'approve' | 'reject',
    token: string | undefined,
    id: string,
    body?: unknown,
    url = stack.baseUrl,
  ): Promise<ApiAnswer> => callApi(url, 'POST', `/api/resets/${encodeURIComponent(id)}/${decision}`, { token, body });
  const operationOf = { approve: 'ApproveReset', reject: 'RejectReset' } as const;
  /** Decides and checks the answer against the contract and the expected status. */
  async function decided(
    decision: 'approve' | 'reject',
    token: string | undefined,
    id: string,
    body: unknown,
    status: number,
    url?: string,
  ): Promise<ApiAnswer> {
    const answer = await decide(decision, token, id, body, url);
    contract.check(operationOf[decision], answer);
    expect(answer.status, `${decision}: ${answer.text}`).toBe(status);
    return answer;
  }
  interface ApprovalView {
    state: string;
    askedBy: { appId: string; objectId?: string };
    expiresAt: string;
    decidedBy?: { appId: string; objectId?: string };
    decidedAt?: string;
    comment?: string;
  }

  beforeAll(async () => {
    approvalUrl = await stack.startIntake({
      APPROVAL_MIN_USERS: '2',
      APPROVAL_TTL_HOURS: '1',
      CALLER_MAX_BULK_USERS_PER_HOUR: '0',
    });
  });

  it('202 awaiting_approval for APPROVAL_MIN_USERS users and for a CSV that changes something; a dry run never waits', async () => {
    const before = Date.now();
    const json = await post(
      tokens.logicApp,
      { users: [DEMO_USERS.passwordOnly, DEMO_USERS.everything], ticket: 'CHG0000101', reason: 'other' },
      { url: approvalUrl },
    );
    const accepted = submitted(json);
    const body = json.body as { status: string; approval?: { state: string; expiresAt: string } };
    expect(body.status).toBe('awaiting_approval');
    expect(body.approval?.state).toBe('pending');
    const window = Date.parse(body.approval?.expiresAt ?? '') - before;
    expect(window).toBeGreaterThan(3_590_000);
    expect(window).toBeLessThan(3_700_000);
    waiting.approve = accepted.id;

    const csv = await post(tokens.logicApp, `user,ticket,reason\n${DEMO_USERS.guest},CHG0000102,other\n`, {
      url: approvalUrl,
      contentType: 'text/csv',
    });
    waiting.lapse = submitted(csv).id;
    expect((csv.body as { status: string }).status).toBe('awaiting_approval');

    const reject = await post(
      tokens.logicApp,
      { users: [DEMO_USERS.disabled, DEMO_USERS.stuckDefault], ticket: 'CHG0000103', reason: 'other' },
      { url: approvalUrl },
    );
    waiting.reject = submitted(reject).id;
    expect((reject.body as { status: string }).status).toBe('awaiting_approval');

    const dryRun = await post(
      tokens.logicApp,
      {
        users: [DEMO_USERS.disabled, DEMO_USERS.stuckDefault],
        ticket: 'CHG0000104',
        reason: 'other',
        options: { dryRun: true },
      },
      { url: approvalUrl },
    );
    submitted(dryRun);
    expect(dryRun.body).not.toHaveProperty('approval');
    expect((dryRun.body as { status: string }).status).toBe('queued');
  });

  it('GET: 202 awaiting_approval with the approval, for the submitter and for approvers and operators (any request)', async () => {
    for (const token of [tokens.logicApp, tokens.approver, tokens.operator]) {
      const answer = await get(token, waiting.approve);
      contract.check('GetReset', answer);
      expect(answer.status, answer.text).toBe(202);
      expect(answer.headers.get('location')).toMatch(new RegExp(`/api/resets/${waiting.approve}$`));
      const body = answer.body as StatusBody & { pending: number; approval: ApprovalView };
      expect(body.status).toBe('awaiting_approval');
      expect(body.pending).toBe(2);
      expect(body.approval).toMatchObject({ state: 'pending', askedBy: { appId: DEMO_APPS.logicApp.appId } });
      expect(body.approval.decidedBy).toBeUndefined();
    }
    // A reader that is neither the submitter nor an approver still sees nothing.
    const other = await get(tokens.servicenow, waiting.approve);
    contract.check('GetReset', other);
    expect(other.status).toBe(404);
  });

  it('403: the submitter cannot decide its own request (same oid), nor a caller without Resets.Approve', async () => {
    // The submitting application, given Resets.Approve too: its token carries the same object id as when it submitted.
    const self = await stack.emulator.mintToken({
      appId: DEMO_APPS.logicApp.appId,
      audience: stack.env.AUTH_AUDIENCE,
      roles: ['Resets.Submit', 'Resets.SubmitBulk', 'Resets.Read', 'Resets.Approve'],
    });
    for (const [decision, body] of [
      ['approve', {}],
      ['reject', { comment: 'mine' }],
    ] as const) {
      const answer = await decided(decision, self, waiting.approve, body, 403);
      expect(problemType(answer)).toBe('urn:mfa-reset:problem:self-approval');
      expect(answer.body).toMatchObject({ reason: 'self_approval' });
      const missing = await decided(decision, tokens.logicApp, waiting.approve, body, 403);
      expect(missing.body).toMatchObject({ requiredRole: 'Resets.Approve' });
    }
    const status = await get(tokens.logicApp, waiting.approve);
    contract.check('GetReset', status);
    expect((status.body as { status: string }).status).toBe('awaiting_approval');
  });

  it('400 (id, comment, unknown fields), 401, 404, 413, and 409 approval-not-required', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const big = { comment: 'x'.repeat(17_000) };
    for (const decision of ['approve', 'reject'] as const) {
      await decided(decision, tokens.approver, 'not-a-request-id', { comment: 'ok' }, 400);
      const fields = await decided(decision, tokens.approver, waiting.approve, { comment: 'ok', surprise: 1 }, 400);
      expect(JSON.stringify(fields.body)).toContain('surprise');
      await decided(decision, undefined, waiting.approve, { comment: 'ok' }, 401);
      await decided(decision, tokens.approver, unknown, { comment: 'ok' }, 404);
      await decided(decision, tokens.approver, waiting.approve, big, 413);
      // ids.multi was submitted to the intake with approval off: nothing to decide.
      const conflict = await decided(decision, tokens.approver, ids.multi ?? '', { comment: 'ok' }, 409);
      expect(problemType(conflict)).toBe('urn:mfa-reset:problem:approval-not-required');
      expect(conflict.body).toMatchObject({ requestId: ids.multi });
    }
    // A rejection must say why.
    const noComment = await decided('reject', tokens.approver, waiting.reject, {}, 400);
    expect((noComment.body as { errors: { field?: string }[] }).errors.map((e) => e.field)).toEqual(['comment']);
  });

  it('200: another identity approves and the users run; repeating is harmless; rejecting then is 409 approval-decided', async () => {
    await stack.startWorker();
    const first = await decided('approve', tokens.approver, waiting.approve, { comment: 'CAB-42 approved' }, 200);
    const body = first.body as { status: string; total: number; approval: ApprovalView };
    expect(['queued', 'running', 'completed']).toContain(body.status);
    expect(body.total).toBe(2);
    expect(body.approval).toMatchObject({
      state: 'approved',
      comment: 'CAB-42 approved',
      askedBy: { appId: DEMO_APPS.logicApp.appId },
      decidedBy: { appId: DEMO_APPS.approver.appId },
    });
    expect(body.approval.decidedBy?.objectId).toBeTruthy();
    expect(body.approval.decidedBy?.objectId).not.toBe(body.approval.askedBy.objectId);

    const again = await decided('approve', tokens.approver, waiting.approve, undefined, 200);
    expect((again.body as { approval: ApprovalView }).approval.decidedAt).toBe(body.approval.decidedAt);
    const late = await decided('reject', tokens.approver, waiting.approve, { comment: 'changed my mind' }, 409);
    expect(problemType(late)).toBe('urn:mfa-reset:problem:approval-decided');
    expect(late.body).toMatchObject({ requestId: waiting.approve, approval: { state: 'approved' } });

    const final = (await untilFinal(tokens.logicApp, waiting.approve)).body as StatusBody & { approval: ApprovalView };
    expect(final.status).toBe('completed');
    expect(final.approval.state).toBe('approved');
    expect(final.items.every((item) => item.outcome !== undefined)).toBe(true);
  });

  it('200: a rejection ends every user rejected; approving then is 409 approval-decided', async () => {
    const answer = await decided('reject', tokens.approver, waiting.reject, { comment: 'not on the change list' }, 200);
    const body = answer.body as { status: string; pending: number; counts: Record<string, number> };
    expect(body).toMatchObject({ status: 'completed', pending: 0 });
    expect(body.counts.rejected).toBe(2);
    await decided('reject', tokens.approver, waiting.reject, { comment: 'not on the change list' }, 200);
    const late = await decided('approve', tokens.approver, waiting.reject, {}, 409);
    expect(problemType(late)).toBe('urn:mfa-reset:problem:approval-decided');

    const status = await get(tokens.logicApp, waiting.reject);
    contract.check('GetReset', status);
    expect(status.status).toBe(200);
    const final = status.body as StatusBody & { approval: ApprovalView };
    expect(final.items.map((item) => item.outcome)).toEqual(['rejected', 'rejected']);
    expect(final.approval).toMatchObject({ state: 'rejected', comment: 'not on the change list' });
  });

  it('409 approval-expired: a decision after APPROVAL_TTL_HOURS finds every user expired', async () => {
    // An intake whose store clock runs two hours ahead: the one-hour approval window has ended there.
    const lateUrl = await stack.startIntake({}, { now: () => new Date(Date.now() + 2 * 3600 * 1000) });
    const answer = await decided('approve', tokens.approver, waiting.lapse, {}, 409, lateUrl);
    expect(problemType(answer)).toBe('urn:mfa-reset:problem:approval-expired');
    expect(answer.body).toMatchObject({ requestId: waiting.lapse, approval: { state: 'expired' } });

    const status = await get(tokens.logicApp, waiting.lapse);
    contract.check('GetReset', status);
    expect(status.status).toBe(200);
    const final = status.body as StatusBody & { approval: ApprovalView };
    expect(final.items.map((item) => item.outcome)).toEqual(['expired']);
    expect(final.counts.expired).toBe(1);
    expect(final.approval.state).toBe('expired');
  });
});

describe('the tenant-wide circuit breaker: GET /api/control/breaker, POST /api/control/breaker/reset', () => {
  const breaker = (token: string | undefined, url = stack.baseUrl) =>
    callApi(url, 'GET', '/api/control/breaker', { token });
  const reset = (token: string | undefined, body?: unknown) =>
    callApi(stack.baseUrl, 'POST', '/api/control/breaker/reset', { token, body });

  it('401 and 403 for both; 400 and 413 for a bad reset; 200 closed before any trip', async () => {
    const checks: [string, ApiAnswer, number][] = [
      ['GetBreaker', await breaker(tokens.operator), 200],
      ['GetBreaker', await breaker(undefined), 401],
      ['GetBreaker', await breaker(tokens.approver), 403],
      ['ResetBreaker', await reset(undefined, { reason: 'x' }), 401],
      ['ResetBreaker', await reset(tokens.logicApp, { reason: 'x' }), 403],
      ['ResetBreaker', await reset(tokens.operator), 400],
      ['ResetBreaker', await reset(tokens.operator, { reason: 'x', surprise: true }), 400],
      ['ResetBreaker', await reset(tokens.operator, { reason: 'x'.repeat(17_000) }), 413],
    ];
    for (const [operation, answer, status] of checks) {
      contract.check(operation, answer);
      expect(answer.status, `${operation}: ${answer.text}`).toBe(status);
    }
    expect(checks[0]?.[1].body).toEqual({ state: 'closed' });
  });

  it('trips on the tenant-wide limit, refuses new requests with 503 breaker-open until an operator resets it', async () => {
    // An intake whose tenant-wide single-user limit the earlier tests have already used up (counters are shared).
    const url = await stack.startIntake({ TENANT_MAX_USERS_PER_HOUR: '1' });
    const body = { user: DEMO_USERS.synced, ticket: 'INC0777001', reason: 'other', options: { dryRun: true } };
    const tripped = await post(tokens.servicenow, body, { url });
    contract.check('SubmitReset', tripped);
    expect(tripped.status, tripped.text).toBe(429);
    expect(tripped.body).toMatchObject({ scope: 'tenant', kind: 'single', limit: 1 });

    // The breaker latched in the state table; each intake reads it through a cache of a few seconds.
    const deadline = Date.now() + 10_000;
    let refused: ApiAnswer;
    for (;;) {
      refused = await post(tokens.servicenow, body, { url });
      contract.check('SubmitReset', refused);
      if (refused.status === 503) break;
      expect(refused.status, refused.text).toBe(429);
      if (Date.now() > deadline) throw new Error(`no 503 breaker-open within 10 s; last answer: ${refused.text}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(refused.body).toMatchObject({ type: 'urn:mfa-reset:problem:breaker-open' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const open = await breaker(tokens.operator);
    contract.check('GetBreaker', open);
    expect(open.body).toMatchObject({ state: 'open', kind: 'single', limit: 1 });
    const trippedAt = (open.body as { trippedAt?: string }).trippedAt;
    expect(trippedAt).toBeDefined();
    expect((refused.body as { trippedAt?: string }).trippedAt).toBe(trippedAt);

    // It never closes by itself: only an operator's reset does.
    const closed = await reset(tokens.operator, { reason: 'INC-SEC-7: contract test, nothing leaked' });
    contract.check('ResetBreaker', closed);
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toMatchObject({
      state: 'closed',
      trippedAt,
      resetBy: DEMO_APPS.operator.appId,
      resetReason: 'INC-SEC-7: contract test, nothing leaked',
    });
    const after = await breaker(tokens.operator);
    contract.check('GetBreaker', after);
    expect(after.body).toMatchObject({ state: 'closed' });
  });
});

describe('GET /api/me', () => {
  it("200 with the caller's ids, identity type and the service's roles (none needed); 401 without a token", async () => {
    const me = await callApi(stack.baseUrl, 'GET', '/api/me', { token: tokens.logicApp });
    contract.check('GetMe', me);
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({
      appId: DEMO_APPS.logicApp.appId,
      identityType: 'app',
      roles: ['Resets.Submit', 'Resets.SubmitBulk', 'Resets.Read'],
    });
    const none = await callApi(stack.baseUrl, 'GET', '/api/me', { token: tokens.noRoles });
    contract.check('GetMe', none);
    expect(none.body).toMatchObject({ appId: DEMO_APPS.noRoles.appId, roles: [] });
    const anonymous = await callApi(stack.baseUrl, 'GET', '/api/me', {});
    contract.check('GetMe', anonymous);
    expect(anonymous.status).toBe(401);
  });
});

describe('coverage of the spec', () => {
  it('exercised every documented status of every operation', () => {
    expect(contract.unexercised()).toEqual([]);
  });
});
