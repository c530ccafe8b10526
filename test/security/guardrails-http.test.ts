// The submission guardrails through the running host: a flood of resets from one caller hits its quota, all callers
// together hit the tenant-wide circuit breaker; each refusal is a 429 problem with Retry-After (until the counted users
// leave the sliding 60-minute window), nothing refused is stored or queued, and the first refusal per counter raises
// an alert event.
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS, demoTenant } from '../../dev/graph-emulator/index.js';
import { BUCKET_SECONDS, WINDOW_SECONDS } from '../../src/lib/guardrails/index.js';
import { DEFAULT_TABLE_NAME } from '../../src/lib/store/index.js';
import { startStack, type HttpAnswer, type Stack } from '../reliability/support/stack.js';

let stack: Stack;
const userList = [
  DEMO_USERS.plain,
  DEMO_USERS.defaultPush,
  DEMO_USERS.defaultOath,
  DEMO_USERS.defaultSms,
  DEMO_USERS.synced,
  DEMO_USERS.everything,
];

beforeAll(async () => {
  stack = await startStack({
    fixture: demoTenant(),
    hostEnv: {
      MFA_RESET_FUNCTIONS: 'intake',
      CALLER_MAX_USERS_PER_HOUR: '3',
      TENANT_MAX_USERS_PER_HOUR: '5',
      CALLER_MAX_BULK_USERS_PER_HOUR: '4',
      TENANT_MAX_BULK_USERS_PER_HOUR: '100',
    },
  });
  await stack.startHost();
});
afterAll(async () => {
  await stack?.stop();
});

function expectRefusal(r: HttpAnswer, scope: 'caller' | 'tenant'): void {
  expect(r.status, r.text).toBe(429);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(r.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  // A user counts for at least the window and at most one bucket longer.
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS + BUCKET_SECONDS);
  expect(r.json).toMatchObject({
    type: 'urn:mfa-reset:problem:rate-limited',
    status: 429,
    scope,
    retryAfterSeconds: retryAfter,
    detail: expect.stringContaining('in the last 60 minutes') as unknown,
  });
  const resetsAt = Date.parse(String((r.json as { resetsAt?: unknown }).resetsAt));
  expect(Math.abs(resetsAt - Date.now() - retryAfter * 1000)).toBeLessThan(60_000);
}

const alerts = (name: string): string[] =>
  stack.host().lines.filter((l) => l.includes('"event":"telemetry_event"') && l.includes(`"name":"${name}"`));

describe('quota and circuit breaker over HTTP', () => {
  it('stops a flood from one caller at its quota, then every caller at the tenant-wide breaker', async () => {
    const a = await stack.token(DEMO_APPS.logicApp);
    const b = await stack.token(DEMO_APPS.servicenow);
    const submit = (token: string, user: string, n: number) =>
      stack.submit({ user, ticket: `INC11${String(n).padStart(5, '0')}`, reason: 'lost_device' }, { token });

    // Caller A: three single resets pass, the fourth is over its quota.
    for (let i = 0; i < 3; i++) expect((await submit(a, userList[i], i)).status).toBe(202);
    const overQuota = await submit(a, userList[3], 3);
    expectRefusal(overQuota, 'caller');
    expect(alerts('MfaReset.CallerQuotaExceeded')).toHaveLength(1);

    // A retry of an accepted request is not a new reset and costs nothing.
    expect((await submit(a, userList[0], 0)).status).toBe(202);

    // Bulk requests are counted apart: a 4-user bulk passes, a second one is over the bulk quota.
    const bulk = (n: number) =>
      stack.submit(
        { users: userList.slice(0, 4), ticket: `INC12${String(n).padStart(5, '0')}`, reason: 'compromised' },
        { token: a },
      );
    expect((await bulk(1)).status).toBe(202);
    expectRefusal(await bulk(2), 'caller');

    // Caller B: two more reach the tenant-wide limit of five; the next one opens the breaker.
    expect((await submit(b, userList[3], 10)).status).toBe(202);
    expect((await submit(b, userList[4], 11)).status).toBe(202);
    expectRefusal(await submit(b, userList[5], 12), 'tenant');
    // The breaker latched on that refusal: from now on every new request is 503 until an operator resets it.
    const latched = await submit(b, userList[5], 13);
    expect(latched.status, latched.text).toBe(503);
    expect(latched.json).toMatchObject({ type: 'urn:mfa-reset:problem:breaker-open' });
    expect(alerts('MfaReset.CircuitBreakerOpened')).toHaveLength(1);

    // Nothing refused was stored: the refused tickets have no request.
    const refusedTickets = ['INC1100003', 'INC1100012', 'INC1100013', 'INC1200002'];
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, DEFAULT_TABLE_NAME, {
      allowInsecureConnection: true,
    });
    for await (const row of table.listEntities<Record<string, unknown>>()) {
      const text = JSON.stringify(row);
      for (const t of refusedTickets) expect(text).not.toContain(t);
    }
  });
});
