// Completion callbacks end to end (issue 18): Azurite, the Graph emulator and a local HTTPS receiver that plays a
// Logic App's "HTTP Webhook" callback endpoint. The service calls back once a request is final, signed, through the
// `reset-callbacks` queue, retrying 5xx and stopping on 4xx; GET shows how the delivery stands, never the URL.
import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import { clientCredentialsToken, getStatus } from '../../dev/stack/api-client.js';
import { newSealKey } from '../../dev/stack/seal-key.js';
import { callbackHeaders, verifyCallbackSignature } from '../../src/lib/callbacks/signature.js';
import { createCallbackUrlCipher } from '../../src/lib/callbacks/url-cipher.js';
import { encodeMessage } from '../../src/lib/queue/messages.js';
import { DEFAULT_TABLE_NAME, type StoredCallback } from '../../src/lib/store/index.js';
import { startCallbackReceiver, type CallbackReceiver, type ReceivedCall } from './support/callback-receiver.js';
import { newTicket, startStack, until, type TestStack } from './support/stack.js';
import { callApi, createContractChecker } from '../contract/support/contract-checker.js';
import { loadSpec } from '../contract/support/openapi.js';

let stack: TestStack;
let receiver: CallbackReceiver;
let token: string;
const signingKey = newSealKey();
const key = Buffer.from(signingKey, 'base64');

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  stack = await startStack({
    env: {
      CALLBACK_ALLOWED_HOSTS: '*.logic.azure.com,*.service-now.com',
      // The receiver is on localhost: development only, as GRAPH_ALLOW_ANY_HOST is for the emulator.
      CALLBACK_ALLOW_LOCALHOST: 'true',
      CALLBACK_SIGNING_KEY: signingKey,
    },
    compose: { callbacks: { retryDelaySeconds: () => 1 } },
  });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  token = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS.logicApp, AUTH_AUDIENCE);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

/** What a Logic App's listCallbackUrl() looks like: a path per run and the secret `sig` in the query string. */
function callbackUrl(path: string): { url: string; sig: string } {
  const sig = `SIG${randomBytes(16).toString('hex')}`;
  return { url: `${receiver.origin}${path}?api-version=2016-10-01&sp=%2Fruns%2F&sv=1.0&sig=${sig}`, sig };
}

async function submit(body: unknown, headers: Record<string, string> = {}, contentType = 'application/json') {
  const response = await fetch(`${stack.url}/api/resets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

interface CallbackView {
  host: string;
  status: string;
  attempts: number;
  lastAttemptAt?: string;
  lastStatusCode?: number;
}
type StatusBody = Record<string, unknown> & { callback?: CallbackView; pending: number };

async function statusOf(id: string): Promise<{ status: number; body: StatusBody; text: string }> {
  const answer = await getStatus(`${stack.url}/api/resets/${id}`, token);
  return { status: answer.status, body: answer.body as unknown as StatusBody, text: JSON.stringify(answer.body) };
}

/** Waits until the callback's delivery is over (delivered or failed) and the callbacks queue holds nothing more. */
async function callbackSettled(id: string): Promise<StoredCallback> {
  const queue = QueueServiceClient.fromConnectionString(stack.azurite.connectionString).getQueueClient(
    'reset-callbacks',
  );
  return until(
    async () => {
      const callback = (await stack.app.store.getRequest(id))?.callback;
      if (!callback || callback.status === 'pending') return undefined;
      const { approximateMessagesCount } = await queue.getProperties();
      const busy = stack.harness.listeners.find((l) => l.queueName === 'reset-callbacks')?.inFlight ?? 0;
      return approximateMessagesCount === 0 && busy === 0 ? callback : undefined;
    },
    `callback of ${id} settled`,
    60_000,
  );
}

const header = (call: ReceivedCall, name: string): string | undefined => {
  const v = call.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

describe('the Logic Apps HTTP Webhook pattern', () => {
  it('subscribes with callbackUrl, and the "workflow" resumes on exactly one signed call with the final status', async () => {
    const path = '/workflows/reset/runs/run-1/callback';
    const { url, sig } = callbackUrl(path);
    const submission = { user: DEMO_USERS.defaultPush, ticket: newTicket(), reason: 'lost_device', callbackUrl: url };
    const contract = createContractChecker(await loadSpec());
    contract.checkAcceptedBody(submission);
    const accepted = await submit(submission);
    expect(accepted.status, accepted.text).toBe(202);
    const { id } = JSON.parse(accepted.text) as { id: string };

    // The workflow waits for the call (the HTTP Webhook action), not for polling.
    const [call] = await until(() => (receiver.calls(path).length > 0 ? receiver.calls(path) : undefined), 'the call');
    const settled = await callbackSettled(id);
    expect(receiver.calls(path)).toHaveLength(1);
    if (!call) throw new Error('no call');
    expect(call.query.get('sig')).toBe(sig);

    // The body is the final GET's, without `callback` (which describes this delivery).
    const final = await statusOf(id);
    expect(final.status).toBe(200);
    const { callback, ...withoutCallback } = final.body;
    expect(JSON.parse(call.body)).toEqual(withoutCallback);
    expect(withoutCallback).toMatchObject({ id, status: 'completed', pending: 0 });

    // Signed as docs/api.md says: HMAC-SHA256 over "<timestamp>.<body>" with CALLBACK_SIGNING_KEY.
    const signature = header(call, callbackHeaders.signature);
    const timestamp = header(call, callbackHeaders.timestamp);
    expect(verifyCallbackSignature(key, { signature, timestamp }, call.body)).toBe(true);
    expect(verifyCallbackSignature(key, { signature, timestamp }, `${call.body} `)).toBe(false);
    expect(verifyCallbackSignature(Buffer.alloc(32, 1), { signature, timestamp }, call.body)).toBe(false);
    expect(header(call, callbackHeaders.delivery)).toMatch(/^[0-9a-f-]{36}$/);

    // GET shows the delivery by host only; the URL's secret is nowhere in answers or logs.
    expect(callback).toEqual({
      host: 'localhost',
      status: 'delivered',
      attempts: 1,
      lastAttemptAt: expect.any(String) as string,
      lastStatusCode: 200,
    });
    expect(settled.status).toBe('delivered');
    // The answer with its callback view is the one api/openapi.yaml documents (strictly: no undocumented field).
    contract.check('GetReset', await callApi(stack.url, 'GET', `/api/resets/${id}`, { token }));
    expect(final.text).not.toContain(sig);
    expect(stack.logLines().join('\n')).not.toContain(sig);
    expect(stack.logLines().join('\n')).not.toContain(path);
    // Nor in any stored row (request, items, audit): the URL is stored sealed.
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, DEFAULT_TABLE_NAME, {
      allowInsecureConnection: true,
    });
    const rows: string[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>()) rows.push(JSON.stringify(row));
    expect(rows.join('\n')).toContain(id);
    expect(rows.join('\n')).not.toContain(sig);
    expect(rows.join('\n')).not.toContain(path);
  });
});

describe('the worker checks a stored URL again before calling it', () => {
  it.each([
    [
      'a host outside its allow-list (a row written around the intake)',
      { url: 'https://10.0.0.9/hook' },
      'host_not_allowed',
    ],
    ['a URL that was not sealed by the intake', { sealedUrl: 'v1.forged.url.value' }, 'url_not_authentic'],
  ])('refuses %s: failed, no call', async (_what, stored, reason) => {
    const path = `/never/${reason}`;
    const id = await storeWaitingRequest(path, stored);
    await stack.app.store.endUnstarted(id, 0, 'expired');
    const settled = await callbackSettled(id);
    expect(settled).toMatchObject({ status: 'failed', attempts: 1 });
    expect(receiver.calls(path)).toHaveLength(0);
    expect(stack.logLines().some((l) => l.includes('callback_refused') && l.includes(id) && l.includes(reason))).toBe(
      true,
    );
    expect(
      stack.telemetry.events.some((e) => e.name === 'MfaReset.CallbackFailed' && e.properties.reason === reason),
    ).toBe(true);
  });
});

describe('rejected requests', () => {
  it('calls back once an approver rejects the request (every user ends rejected)', async () => {
    const path = '/rejected/1';
    const id = await storeWaitingRequest(path, { needsApproval: true });
    expect((await stack.app.store.getRequest(id))?.phase).toBe('awaiting_approval');
    const approver = { ...requester, appId: DEMO_APPS.servicenow.appId, objectId: randomUUID() };
    const decided = await stack.app.store.decideApproval(id, 'rejected', approver, 'not on the change list');
    expect(decided?.decided).toBe(true);
    await until(() => receiver.calls(path).length > 0, 'the callback of the rejected request');
    const body = JSON.parse(receiver.calls(path)[0]?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ id, status: 'completed', pending: 0, counts: { rejected: 1 } });
    expect(body.approval).toMatchObject({ state: 'rejected', comment: 'not on the change list' });
    await callbackSettled(id);
    expect(receiver.calls(path)).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('retries a 503 with backoff, then delivers; the attempts show in GET and every call has the same delivery id', async () => {
    const path = '/flaky/1';
    receiver.script(path, [503, 503, 200]);
    const accepted = await submit({
      user: DEMO_USERS.passwordOnly,
      ticket: newTicket(),
      reason: 'lost_device',
      options: { dryRun: true },
      callbackUrl: callbackUrl(path).url,
    });
    expect(accepted.status, accepted.text).toBe(202);
    const { id } = JSON.parse(accepted.text) as { id: string };
    const settled = await callbackSettled(id);
    expect(settled).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    expect((await statusOf(id)).body.callback).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    const calls = receiver.calls(path);
    expect(calls.map((c) => c.answered)).toEqual([503, 503, 200]);
    expect(new Set(calls.map((c) => header(c, callbackHeaders.delivery))).size).toBe(1);
    for (const c of calls) {
      const signed = {
        signature: header(c, callbackHeaders.signature),
        timestamp: header(c, callbackHeaders.timestamp),
      };
      expect(verifyCallbackSignature(key, signed, c.body)).toBe(true);
    }
  });

  it('stops at a 4xx: the callback ends failed after one attempt', async () => {
    const path = '/gone/1';
    receiver.script(path, [410]);
    const accepted = await submit({
      user: DEMO_USERS.passwordOnly,
      ticket: newTicket(),
      reason: 'lost_device',
      options: { dryRun: true },
      callbackUrl: callbackUrl(path).url,
    });
    const { id } = JSON.parse(accepted.text) as { id: string };
    const settled = await callbackSettled(id);
    expect(settled).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    expect((await statusOf(id)).body.callback).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    expect(receiver.calls(path)).toHaveLength(1);
  });

  it('calls a bulk CSV request back once, after its last item (URL in the header)', async () => {
    const path = '/bulk/1';
    const ticket = newTicket();
    const users = [DEMO_USERS.passwordOnly, DEMO_USERS.passwordOnly2, DEMO_USERS.plain, 'ghost.cb@contoso.example'];
    const csv = ['user,ticket,reason', ...users.map((u) => `${u},${ticket},lost_device`)].join('\r\n');
    const accepted = await submit(`${csv}\r\n`, { 'x-mfa-reset-callback-url': callbackUrl(path).url }, 'text/csv');
    expect(accepted.status, accepted.text).toBe(202);
    const { id } = JSON.parse(accepted.text) as { id: string };
    await callbackSettled(id);
    const calls = receiver.calls(path);
    expect(calls).toHaveLength(1);
    const body = JSON.parse(calls[0]?.body ?? '{}') as { total: number; pending: number; items: unknown[] };
    expect(body).toMatchObject({ total: 4, pending: 0 });
    expect(body.items).toHaveLength(4);
  });

  it('makes no call for a request that is not final, even when a callback message comes', async () => {
    const path = '/early/1';
    receiver.script(path, [200]);
    // Stored and never queued, then a forged callback message for it.
    const waiting = await storeWaitingRequest(path);
    const queue = QueueServiceClient.fromConnectionString(stack.azurite.connectionString).getQueueClient(
      'reset-callbacks',
    );
    await queue.sendMessage(encodeMessage({ v: 1, requestId: waiting }));
    await until(
      () => stack.logLines().some((l) => l.includes('callback_not_final') && l.includes(waiting)),
      'the worker to drop the early callback message',
    );
    expect(receiver.calls(path)).toHaveLength(0);
    const stored = await stack.app.store.getRequest(waiting);
    expect(stored?.callback).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

/**
 * A one-user request stored as the intake would store it (the demo Logic App's), with a callback to `path`, and never
 * queued: it stays pending until something ends it.
 */
async function storeWaitingRequest(
  path: string,
  options: { readonly needsApproval?: boolean; readonly url?: string; readonly sealedUrl?: string } = {},
): Promise<string> {
  const ticket = newTicket();
  const deliveryId = randomUUID();
  // Sealed as the intake seals it (the app's ITEM_SEAL_KEY), so the worker can open it once the request is final.
  const cipher = createCallbackUrlCipher({ current: Buffer.from(stack.settings.ITEM_SEAL_KEY ?? '', 'base64') });
  const created = await stack.app.store.createRequest({
    requester,
    ticket,
    reason: 'lost_device',
    options: { ...defaultResetOptions, dryRun: true },
    source: 'json',
    items: [{ userKey: DEMO_USERS.plain, ticket, reason: 'lost_device' }],
    idempotencyKey: `test:${ticket}`,
    fingerprint: ticket,
    ...(options.needsApproval ? { approval: { windowMs: 3_600_000 } } : {}),
    callback: {
      host: 'localhost',
      sealedUrl: options.sealedUrl ?? cipher.seal(deliveryId, options.url ?? callbackUrl(path).url),
      deliveryId,
      statusBase: `${stack.url}/api/resets/`,
    },
  });
  if (created.kind !== 'created') throw new Error(created.kind);
  return created.request.id;
}

const requester = { tenantId: DEMO_TENANT_ID, appId: DEMO_APPS.logicApp.appId, identityType: 'app' } as const;

describe('cancelled requests', () => {
  it('calls back once when a cancel ends the last item (the intake queues it)', async () => {
    const path = '/cancelled/1';
    const id = await storeWaitingRequest(path);
    const cancelled = await stack.app.store.cancelRequest(id, requester);
    expect(cancelled?.cancelled).toBe(1);
    await until(() => receiver.calls(path).length > 0, 'the callback of the cancelled request');
    const stored = await until(async () => {
      const r = await stack.app.store.getRequest(id);
      return r?.callback?.status === 'delivered' ? r : undefined;
    }, 'the delivery recorded');
    expect(stored.callback?.attempts).toBe(1);
    const body = JSON.parse(receiver.calls(path)[0]?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ id, status: 'completed', pending: 0, counts: { cancelled: 1 } });
    expect(body.cancelledAt).toEqual(expect.any(String));
  });
});

describe('refused callback URLs (400, naming the field, never quoting the URL)', () => {
  const base = { user: DEMO_USERS.plain, ticket: 'INC0000001', reason: 'lost_device' };
  it.each([
    ['http://', 'http://prod-00.westeurope.logic.azure.com/workflows/x?sig=SECRETSIG1', 'https'],
    ['a host not allowed', 'https://evil.example.com/hook?sig=SECRETSIG2', 'CALLBACK_ALLOWED_HOSTS'],
    ['an IP literal', 'https://10.0.0.4/hook?sig=SECRETSIG3', 'IP address'],
    ['an IPv6 literal', 'https://[::1]/hook?sig=SECRETSIG4', 'IP address'],
    ['credentials', 'https://user:pw@prod-00.westeurope.logic.azure.com/w?sig=SECRETSIG5', 'credentials'],
    ['another port', 'https://prod-00.westeurope.logic.azure.com:8443/w?sig=SECRETSIG6', 'port 443'],
    ['the bare suffix of a wildcard', 'https://logic.azure.com/w?sig=SECRETSIG7', 'CALLBACK_ALLOWED_HOSTS'],
  ])('%s', async (_what, url, says) => {
    const answer = await submit({ ...base, callbackUrl: url });
    expect(answer.status).toBe(400);
    const problem = JSON.parse(answer.text) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([{ field: 'callbackUrl', message: expect.stringContaining(says) as string }]);
    expect(answer.text).not.toMatch(/SECRETSIG|evil|10\.0\.0\.4/);
  });

  it('refuses callbackUrl in the query string (it would be logged)', async () => {
    const answer = await fetch(`${stack.url}/api/resets?callbackUrl=x`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(base),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('query.callbackUrl');
  });

  it('accepts an allowed host on 443 (Logic Apps callback URL shape)', async () => {
    const answer = await submit({
      ...base,
      ticket: newTicket(),
      options: { dryRun: true },
      callbackUrl: 'https://prod-12.westeurope.logic.azure.com:443/workflows/abc/runs/def/callback?sig=SECRETSIG8',
    });
    expect(answer.status, answer.text).toBe(202);
    expect(answer.text).not.toContain('SECRETSIG8');
  });
});
