// Operator controls end to end (issue 14), through the harness's HTTP server, Azurite and the Graph emulator:
// cancelling a bulk request mid-way stops every item not started, with no Graph write after the cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, getStatus, postResets } from '../../dev/stack/api-client.js';
import { telemetryMetrics } from '../../src/lib/telemetry/index.js';
import { newTicket, startStack, until, type TestStack, finalItem } from './support/stack.js';

let stack: TestStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // Graph waits beyond 1 s defer the item on the queue: with the emulator throttling, items stay queued mid-bulk.
  stack = await startStack({ env: { GRAPH_MAX_WAIT_SECONDS: '1' } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'servicenow', 'operator', 'reader'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

async function cancel(id: string, token: string | undefined) {
  const response = await fetch(new URL(`/api/resets/${id}/cancel`, stack.url), {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, text };
}

const writes = async (since: number) =>
  (await stack.emulator.requests()).filter((r) => r.seq > since && r.method !== 'GET').length;

describe('POST /api/resets/{id}/cancel', () => {
  it('stops a bulk request mid-way: items not started end cancelled, no Graph write after the cancel', async () => {
    const users = [
      DEMO_USERS.defaultPush,
      DEMO_USERS.defaultOath,
      DEMO_USERS.defaultSms,
      DEMO_USERS.defaultVoiceMobile,
      DEMO_USERS.defaultVoiceOffice,
      DEMO_USERS.plain,
    ];
    await stack.emulator.setFaults({ seed: 3, rates: { '429': 1 }, retryAfter: 3 });
    const accepted = await postResets(stack.url, tokens.logicApp, {
      users,
      ticket: newTicket(),
      reason: 'lost_device',
    });
    expect(accepted.status).toBe(202);
    const id = accepted.body.id;
    await until(() => stack.telemetry.total(telemetryMetrics.graphThrottled) >= 1, 'a throttled item (work under way)');

    // Another submitter cannot see it; a reader may not cancel.
    expect((await cancel(id, tokens.servicenow)).status).toBe(404);
    const reader = await cancel(id, tokens.reader);
    expect(reader.status).toBe(403);
    expect(reader.text).toContain('Resets.Operate');
    expect((await cancel(id, undefined)).status).toBe(401);

    const mark = Math.max(0, ...(await stack.emulator.requests()).map((r) => r.seq));
    const first = await cancel(id, tokens.logicApp);
    expect(first.status, first.text).toBe(200);
    const finishing = first.body.finishing as number[];
    expect((first.body.cancelled as number) + finishing.length).toBe(users.length);
    expect(first.body.cancelledAt).toEqual(expect.any(String));
    await stack.emulator.setFaults(null);

    // Items a worker held when the cancel came are given back by the throttled attempt, then end cancelled too.
    const done = await until(async () => {
      const s = await getStatus(new URL(`/api/resets/${id}`, stack.url).toString(), tokens.logicApp);
      return s.status === 200 ? s.body : undefined;
    }, 'every item final after the cancel');
    expect(done.counts).toMatchObject({ cancelled: users.length, reset: 0 });
    expect(done.items.map((i) => i.outcome)).toEqual(users.map(() => 'cancelled'));
    expect(await writes(mark)).toBe(0);

    // Repeating it is harmless.
    const again = await cancel(id, tokens.logicApp);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ cancelled: 0, finishing: [], status: 'completed' });

    // The CSV export names the outcome.
    const csv = await fetch(new URL(`/api/resets/${id}?format=csv`, stack.url), {
      headers: { authorization: `Bearer ${tokens.logicApp}` },
    });
    expect((await csv.text()).split('\n').filter((l) => l.includes(',cancelled,'))).toHaveLength(users.length);
  });

  it("lets an operator cancel another caller's request; the audit names who", async () => {
    await stack.emulator.setFaults({ seed: 4, rates: { '429': 1 }, retryAfter: 3 });
    const accepted = await postResets(stack.url, tokens.servicenow, {
      user: DEMO_USERS.defaultOath,
      ticket: newTicket(),
      reason: 'compromised',
    });
    expect(accepted.status).toBe(202);
    const answer = await cancel(accepted.body.id, tokens.operator);
    await stack.emulator.setFaults(null);
    expect(answer.status, answer.text).toBe(200);
    const item = await finalItem(stack.app.store, accepted.body.id, 'the item to end');
    expect(item.outcome).toBe('cancelled');
    const audit = await stack.app.store.listAudit(accepted.body.id);
    const cancelled = audit.find((a) => a.eventType === 'RequestCancelled');
    expect(cancelled?.actor?.appId).toBe(DEMO_APPS.operator.appId);
    expect(cancelled?.requester.appId).toBe(DEMO_APPS.servicenow.appId);
  });
});
