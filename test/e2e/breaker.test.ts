// The tenant-wide circuit breaker latches (issue 14), end to end: when every caller together goes over the tenant
// limit, new work is refused (503) and the worker starts no item, until an operator resets it; then the paused work
// runs. One alert per trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, postResets } from '../../dev/stack/api-client.js';
import { telemetryEvents, telemetryMetrics } from '../../src/lib/telemetry/index.js';
import { enqueueStoredReset, newTicket, startStack, until, type TestStack, finalItem } from './support/stack.js';

let stack: TestStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({
    env: { TENANT_MAX_USERS_PER_HOUR: '2', CALLER_MAX_USERS_PER_HOUR: '100' },
    // Every read of the controls goes to the table, so the worker sees the trip at its next item.
    compose: { worker: { killSwitchDelaySeconds: 1 }, controlsCacheMs: 0 },
  });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'servicenow', 'operator'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

const submit = (token: string, user: string) =>
  postResets(stack.url, token, { user, ticket: newTicket(), reason: 'lost_device' });
async function control(method: 'GET' | 'POST', path: string, token: string, body?: object) {
  const response = await fetch(new URL(path, stack.url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('tenant-wide circuit breaker', () => {
  it('trips on the tenant limit, refuses new work and pauses pending items until an operator resets it', async () => {
    expect((await control('GET', '/api/control/breaker', tokens.operator, undefined)).body).toMatchObject({
      state: 'closed',
    });
    // Two callers together reach the tenant limit (2 users); the third request trips it.
    expect((await submit(tokens.logicApp, DEMO_USERS.passwordOnly)).status).toBe(202);
    expect((await submit(tokens.servicenow, DEMO_USERS.passwordOnly2)).status).toBe(202);
    const tripped = await submit(tokens.logicApp, DEMO_USERS.defaultPush);
    expect(tripped.status).toBe(429);
    expect(tripped.body).toMatchObject({ scope: 'tenant' });
    expect(stack.telemetry.eventsNamed(telemetryEvents.circuitBreakerOpened)).toHaveLength(1);
    const open = await control('GET', '/api/control/breaker', tokens.operator);
    expect(open.body).toMatchObject({
      state: 'open',
      kind: 'single',
      limit: 2,
      trippedAt: expect.any(String) as string,
    });

    // New work is refused while it is open (every instance sees it within its cache's few seconds); nothing stored.
    const refused = await until(async () => {
      const r = await submit(tokens.servicenow, DEMO_USERS.defaultSms);
      return r.status === 503 ? r : undefined;
    }, 'the intake to refuse with the breaker open');
    expect(refused.body).toMatchObject({ type: 'urn:mfa-reset:problem:breaker-open' });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

    // Work already stored (accepted before the trip, or slipped in by other means) waits: no Graph call.
    const deferred = stack.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'breaker_open' });
    await stack.emulator.clearRequests();
    const pending = await enqueueStoredReset(stack, DEMO_USERS.defaultVoiceMobile);
    await until(
      () => stack.telemetry.total(telemetryMetrics.itemsDeferred, { reason: 'breaker_open' }) > deferred + 1,
      'the worker to defer the item twice with the breaker open',
    );
    expect((await stack.app.store.getItem(pending.id, 0))?.status ?? 'queued').toBe('queued');
    expect((await stack.emulator.requests()).filter((r) => r.method !== 'GET')).toEqual([]);

    // Only an operator closes it, saying why; then the paused item runs.
    expect((await control('POST', '/api/control/breaker/reset', tokens.logicApp, { reason: 'x' })).status).toBe(403);
    expect((await control('POST', '/api/control/breaker/reset', tokens.operator, {})).status).toBe(400);
    const reset = await control('POST', '/api/control/breaker/reset', tokens.operator, {
      reason: 'INC-SEC-7: secret rotated',
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ state: 'closed', resetBy: DEMO_APPS.operator.appId });
    expect(stack.telemetry.eventsNamed(telemetryEvents.circuitBreakerReset)).toHaveLength(1);
    expect((await finalItem(stack.app.store, pending.id)).outcome).toBe('reset');

    // Resetting does not empty the window: the tenant's users are still counted, so the next request trips it
    // again, with a second alert (one per trip).
    const again = await until(async () => {
      const r = await submit(tokens.servicenow, DEMO_USERS.defaultSms);
      return r.status === 429 ? r : undefined;
    }, 'the intake to see the breaker closed');
    expect(again.body).toMatchObject({ scope: 'tenant' });
    expect(stack.telemetry.eventsNamed(telemetryEvents.circuitBreakerOpened)).toHaveLength(2);
    await control('POST', '/api/control/breaker/reset', tokens.operator, { reason: 'end of test' });
  });
});
