// The operator's kill switch end to end (issue 14): stored in the state table, set through the API by Resets.Operate,
// seen by the worker within 5 s. pause keeps work queued and off resumes it; cancel ends pending items `cancelled`;
// in both, POST /api/resets answers 503 with Retry-After and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, postResets } from '../../dev/stack/api-client.js';
import { effectiveKillSwitch } from '../../src/lib/domain/index.js';
import { telemetryEvents, telemetryMetrics } from '../../src/lib/telemetry/index.js';
import { enqueueStoredReset, newTicket, startStack, until, type TestStack, finalItem } from './support/stack.js';

let stack: TestStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ compose: { worker: { killSwitchDelaySeconds: 1 } } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'operator', 'reader'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

async function killSwitch(method: 'GET' | 'PUT', token: string, body?: unknown) {
  const response = await fetch(new URL('/api/control/kill-switch', stack.url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, text };
}

const final = (id: string) => finalItem(stack.app.store, id, `item of ${id} final`);

describe('kill switch', () => {
  it('the KILL_SWITCH setting is a floor: off through the API still pauses', () => {
    expect(effectiveKillSwitch('off', true)).toBe('pause');
    expect(effectiveKillSwitch('cancel', true)).toBe('cancel');
    expect(effectiveKillSwitch('off', false)).toBe('off');
  });

  it('is for operators only, and validates its body', async () => {
    expect((await killSwitch('GET', tokens.reader)).status).toBe(403);
    expect((await killSwitch('PUT', tokens.logicApp, { mode: 'pause', reason: 'x' })).status).toBe(403);
    expect(await killSwitch('GET', tokens.operator)).toMatchObject({ status: 200, body: { mode: 'off' } });
    const bad = await killSwitch('PUT', tokens.operator, { mode: 'stop', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('mode');
    expect(bad.text).toContain('reason');
    const phone = await killSwitch('PUT', tokens.operator, { mode: 'pause', reason: 'call me on +44 20 7946 0958' });
    expect(phone.status).toBe(400);
    expect(phone.text).toContain('must not contain an e-mail address or a phone number');
    expect(phone.text).not.toContain('7946');
  });

  it('pause: new requests 503 and nothing stored; queued work waits with no Graph call, then off completes it', async () => {
    const set = await killSwitch('PUT', tokens.operator, { mode: 'pause', reason: 'INC-SEC-1 secret leaked' });
    expect(set).toMatchObject({ status: 200, body: { mode: 'pause', updatedBy: DEMO_APPS.operator.appId } });
    expect(stack.telemetry.eventsNamed(telemetryEvents.killSwitchSet).at(-1)?.properties).toMatchObject({
      mode: 'pause',
      callerAppId: DEMO_APPS.operator.appId,
    });
    const ticket = newTicket();
    const refused = await postResets(stack.url, tokens.logicApp, {
      user: DEMO_USERS.defaultSms,
      ticket,
      reason: 'other',
    });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing stored: no row of the table carries the ticket.
    const rows = stack.app.store.client.listEntities({ queryOptions: { filter: `ticket eq '${ticket}'` } });
    let stored = 0;
    for await (const _ of rows) stored += 1;
    expect(stored).toBe(0);

    await stack.emulator.clearRequests();
    const deferredBefore = stack.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'kill_switch' });
    const request = await enqueueStoredReset(stack, DEMO_USERS.defaultPush);
    await until(
      () => stack.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'kill_switch' }) >= deferredBefore + 2,
      'two kill-switch deferrals',
    );
    expect((await stack.app.store.getItem(request.id, 0))?.status).toBe('queued');
    expect(await stack.emulator.requests()).toEqual([]);

    const switchedAt = Date.now();
    expect((await killSwitch('PUT', tokens.operator, { mode: 'off', reason: 'rotated' })).status).toBe(200);
    expect((await final(request.id)).outcome).toBe('reset');
    // The worker's cache holds a mode at most 4 s; the deferral delay is 1 s here.
    expect(Date.now() - switchedAt).toBeLessThan(5_000 + 1_500);
    const accepted = await postResets(stack.url, tokens.logicApp, {
      user: DEMO_USERS.defaultSms,
      ticket,
      reason: 'other',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('queued');
  });

  it('cancel: every pending item ends cancelled with no Graph call', async () => {
    await killSwitch('PUT', tokens.operator, { mode: 'pause', reason: 'INC-SEC-2' });
    // Let every instance's cache see pause before work is queued.
    await until(async () => {
      const refused = await postResets(stack.url, tokens.logicApp, {
        user: DEMO_USERS.defaultOath,
        ticket: newTicket(),
        reason: 'other',
      });
      return refused.status === 503;
    }, 'the intake to see pause');
    // And the worker: a first item is deferred by the switch before the others are queued.
    const deferred = stack.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'kill_switch' });
    const first = await enqueueStoredReset(stack, DEMO_USERS.defaultOath);
    await until(
      () => stack.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'kill_switch' }) > deferred,
      'the worker to see pause',
    );
    const requests = [
      first,
      await enqueueStoredReset(stack, DEMO_USERS.defaultVoiceMobile),
      await enqueueStoredReset(stack, DEMO_USERS.defaultVoiceOffice),
    ];
    await stack.emulator.clearRequests();
    expect((await killSwitch('PUT', tokens.operator, { mode: 'cancel', reason: 'INC-SEC-2 drop it all' })).status).toBe(
      200,
    );
    for (const r of requests) expect((await final(r.id)).outcome).toBe('cancelled');
    expect((await stack.emulator.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
    await killSwitch('PUT', tokens.operator, { mode: 'off', reason: 'done' });
  });
});
