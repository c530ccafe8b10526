// The stolen-secret flood, bounded (issue 14): a bulk CSV of hundreds of users is being worked through when an
// operator sets the kill switch to `cancel`. Every user not started ends `cancelled` with no Graph write at all; the
// few users the worker was carrying out at that moment finish (no half-reset); nothing else is touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, getStatus, postResets } from '../../dev/stack/api-client.js';
import { tenantWith } from '../reliability/support/fixture.js';
import { newTicket, startStack, until, type TestStack } from './support/stack.js';

const flood = 600;
const { fixture, users } = tenantWith('flood', flood);
/** Messages the harness's item listener holds at once (host.json batchSize 16 + newBatchThreshold 8). */
const inFlightCapacity = 24;
let stack: TestStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // Every item reads the switch from the table (no cache): then only items that read it before the switch, at most
  // what the worker holds at once, can start after it. (The cache's own bound, 4 s, is test/store/kill-switch-cache.)
  stack = await startStack({ fixture, compose: { worker: { killSwitchDelaySeconds: 1 }, controlsCacheMs: 0 } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'operator'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

const killSwitch = (mode: string, reason: string) =>
  fetch(new URL('/api/control/kill-switch', stack.url), {
    method: 'PUT',
    headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mode, reason }),
  });

describe('a flood stopped by the kill switch (cancel)', () => {
  it(`${flood} queued users: those not started end cancelled with no Graph write; in-flight ones finish whole`, async () => {
    // Slow deletes keep the worker mid-way through the file when the switch comes.
    await stack.emulator.setFaults({ seed: 11, methods: ['DELETE'], latencyMs: { min: 50, max: 150 } });
    const csv = ['user,ticket,reason', ...users.map((u) => `${u.upn},${newTicket()},compromised`)].join('\n');
    const accepted = await postResets(stack.url, tokens.logicApp, csv, { contentType: 'text/csv' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const url = new URL(`/api/resets/${accepted.body.id}`, stack.url).toString();
    await until(async () => {
      const s = await getStatus(url, tokens.logicApp);
      return (s.body.counts.reset ?? 0) >= 10 ? s : undefined;
    }, 'the first users to be reset');

    const switched = await killSwitch('cancel', 'INC-SEC-9: ServiceNow secret leaked');
    expect(switched.status).toBe(200);
    const mark = Math.max(0, ...(await stack.emulator.requests()).map((r) => r.seq));

    const done = await until(
      async () => {
        const s = await getStatus(url, tokens.logicApp);
        return s.status === 200 ? s.body : undefined;
      },
      'every item final after the cancel',
      90_000,
    );
    await killSwitch('off', 'end of test');
    await stack.emulator.setFaults(null);

    const log = await stack.emulator.requests();
    const writes = log.filter((r) => r.method !== 'GET');
    const touched = (u: { id: string }) => writes.some((r) => r.path.includes(u.id));
    const outcome = new Map(done.items.map((i) => [i.user, i.outcome]));
    const cancelled = users.filter((u) => outcome.get(u.upn) === 'cancelled');
    const reset = users.filter((u) => outcome.get(u.upn) === 'reset');

    // Every user ends cancelled or wholly reset; most never started.
    expect(cancelled.length + reset.length).toBe(flood);
    expect(cancelled.length).toBeGreaterThan(flood / 2);
    // A cancelled user had no Graph write, ever.
    expect(cancelled.filter(touched).map((u) => u.upn)).toEqual([]);
    // A reset user has none of the methods it had (no half-reset).
    for (const u of reset.slice(-inFlightCapacity)) {
      const left = (await stack.emulator.user(u.id)).methods.map((m) => m.id);
      expect(
        left.filter((id) => u.methodIds.includes(id)),
        u.upn,
      ).toEqual([]);
    }
    // After the switch, only users already being carried out were written to (at most what the worker holds).
    const afterSwitch = new Set(
      writes.filter((r) => r.seq > mark).flatMap((r) => users.filter((u) => r.path.includes(u.id)).map((u) => u.upn)),
    );
    expect(afterSwitch.size).toBeLessThanOrEqual(inFlightCapacity);
    expect([...afterSwitch].every((upn) => outcome.get(upn) === 'reset')).toBe(true);
  });
});
