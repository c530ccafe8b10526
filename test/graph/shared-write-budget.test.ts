// Graph's write budget shared between worker instances (issue 16): two Graph ports stand for two instances, each with
// its own gate and limiter, sharing only the row in Azurite's table. The emulator's write limit is the token bucket at
// timeScale 100 (300 writes, then one every 5 s), so a spent quota answers with Retry-After: 5.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableClient } from '@azure/data-tables';
import { RetryLaterError, type SharedWriteBudget } from '../../src/lib/domain/index.js';
import { createGraphCredential, createGraphPort, type GraphPortWithStats } from '../../src/lib/graph/index.js';
import { createTableClient } from '../../src/lib/store/index.js';
import { createTableWriteBudget, WRITE_BUDGET_PARTITION } from '../../src/lib/store/write-budget-row.js';
import type { RunningAzurite } from '../support/azurite.js';
import { startTestAzurite } from '../support/azurite.js';
import type { TestEmulator } from '../support/emulator.js';
import { graphEnvFor, startTestEmulator } from '../support/emulator.js';
import { engineTenant, user, userId } from '../engine/support/engine-tenant.js';

let emu: TestEmulator;
let azurite: RunningAzurite;
let table: TableClient;

beforeAll(async () => {
  [emu, azurite] = await Promise.all([
    // Size L: 8,000 resource units per 10 s, so that the write limit is what runs out.
    startTestEmulator({ ...engineTenant([user('ada', []), user('bob', [])]), size: 'L' }),
    startTestAzurite(),
  ]);
  graphEnvFor(emu);
  table = createTableClient(
    { kind: 'connectionString', connectionString: azurite.connectionString },
    { tableName: 'workerguard' },
  );
});
afterAll(async () => {
  await Promise.all([emu?.stop(), azurite?.stop()]);
});

const instance = (shared: SharedWriteBudget, onSharedFailure?: () => void): GraphPortWithStats =>
  createGraphPort({
    baseUrl: emu.env.GRAPH_BASE_URL,
    credential: createGraphCredential(),
    maxConcurrency: 16,
    maxWaitMs: 500, // shorter than the 5 s Retry-After: a write that meets the deadline is handed back, not sent
    writeBudget: {
      shared,
      cacheMs: 300,
      readTimeoutMs: 2000,
      refreshWaitMs: 2000, // a loaded test machine: let the write wait for the whole read
      pacing: false,
      ...(onSharedFailure ? { onSharedFailure } : {}),
    },
  });

/** Writes (repeatable revokes of ada's sessions) until one is handed back because the write quota is spent. */
async function spendWriteQuota(graph: GraphPortWithStats): Promise<RetryLaterError> {
  let refused: RetryLaterError | undefined;
  let sent = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (!refused && sent < 1000) {
        sent += 1;
        await graph.revokeSignInSessions(userId('ada')).catch((e: unknown) => {
          if (e instanceof RetryLaterError) refused ??= e;
          else throw e;
        });
      }
    }),
  );
  if (!refused) throw new Error(`${sent} writes and none was refused: is the emulator's write limit on?`);
  return refused;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 25)); // polling interval, not a wait for an outcome
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

const postsTo = async (userKey: string): Promise<number> =>
  (await emu.requests({})).filter((r) => r.method === 'POST' && r.path.includes(userKey)).length;

describe('the shared write budget', () => {
  it('when one instance is told the quota is spent, the other stops writing until the deadline', async () => {
    await emu.setThrottle({ profile: 'documented', timeScale: 100, writeShape: 'token-bucket' });
    const shared = createTableWriteBudget(table, { rowKey: 'two-instances' });
    const a = instance(shared);
    const b = instance(shared);
    await spendWriteQuota(a);
    const published = await until('the deadline in the shared row', async () => (await shared.read()) ?? undefined);
    expect(published.untilMs).toBeGreaterThan(Date.now());

    await emu.clearRequests();
    // B has never written: what it knows of the quota comes from the row.
    await until('B to read the deadline', async () => ((await b.writeBudget.remainingMs()) > 0 ? true : undefined));
    const deferred = await b.revokeSignInSessions(userId('bob')).catch((e: unknown) => e);
    expect(deferred).toBeInstanceOf(RetryLaterError);
    expect(await postsTo(userId('bob'))).toBe(0); // never sent: B learnt A's deadline from the row

    // After the deadline B writes again (the bucket has refilled one write by then).
    await until('the deadline to pass', () => Promise.resolve(Date.now() >= published.untilMs ? true : undefined));
    await b.revokeSignInSessions(userId('bob'));
    expect(await postsTo(userId('bob'))).toBe(1);
  });

  it('keeps a later deadline when an earlier one is published after it', async () => {
    const shared = createTableWriteBudget(table, { rowKey: 'later-wins' });
    const now = Date.now();
    await Promise.all([
      shared.publish({ atMs: now, untilMs: now + 60_000 }),
      shared.publish({ atMs: now, untilMs: now + 5_000 }),
      shared.publish({ atMs: now, untilMs: now + 30_000 }),
    ]);
    await shared.publish({ atMs: now, untilMs: now + 1_000 });
    expect(await shared.read()).toEqual({ atMs: now, untilMs: now + 60_000 });
    const entity = await table.getEntity(WRITE_BUDGET_PARTITION, 'later-wins');
    expect(entity.untilMs).toBe(now + 60_000);
  });

  it('an instance sees a deadline published elsewhere within its cache time', async () => {
    const shared = createTableWriteBudget(table, { rowKey: 'stale-bound' });
    const b = instance(shared);
    expect(await b.writeBudget.remainingMs()).toBe(0); // B has just read the row: its cache is fresh
    const publishedAt = Date.now();
    await shared.publish({ atMs: publishedAt, untilMs: publishedAt + 60_000 });
    await until('B to see the deadline', async () => ((await b.writeBudget.remainingMs()) > 0 ? true : undefined));
    // cacheMs 300, plus one read (bounded by readTimeoutMs 2,000).
    expect(Date.now() - publishedAt).toBeLessThanOrEqual(300 + 2000 + 200);
    expect(b.writeQuotaWaitMs()).toBeGreaterThan(50_000);
  });

  it('with storage unreachable, an instance falls back to its own gate and never writes faster', async () => {
    await emu.setThrottle({ profile: 'documented', timeScale: 100, writeShape: 'token-bucket' }); // a full bucket
    const nowhere = createTableClient(
      {
        kind: 'connectionString',
        // Nothing listens on port 9: every call fails at once.
        connectionString: azurite.connectionString.replace(
          /TableEndpoint=http:\/\/[^;]+/,
          'TableEndpoint=http://127.0.0.1:9/devstoreaccount1',
        ),
      },
      { tableName: 'workerguard' },
    );
    const failures: string[] = [];
    const c = instance(createTableWriteBudget(nowhere, { rowKey: 'unreachable', timeoutMs: 500 }), () =>
      failures.push('failed'),
    );
    await spendWriteQuota(c); // completes: a failed read costs a write at most readTimeoutMs once per cacheMs
    expect(failures.length).toBeGreaterThan(0);

    await emu.clearRequests();
    const deferred = await c.revokeSignInSessions(userId('bob')).catch((e: unknown) => e);
    expect(deferred).toBeInstanceOf(RetryLaterError);
    expect(await postsTo(userId('bob'))).toBe(0); // the local gate holds it back, as without the shared record
  });
});
