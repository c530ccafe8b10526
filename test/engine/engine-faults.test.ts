import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../../dev/graph-emulator/index.js';
import { RetryLaterError } from '../../src/lib/domain/index.js';
import type { MethodRef } from '../../src/lib/domain/index.js';
import type { TestEmulator } from '../support/emulator.js';
import { startTestEmulator } from '../support/emulator.js';
import type { EngineUnderTest } from './support/engine-harness.js';
import { engineFor, opts, resetLikeWorker } from './support/engine-harness.js';
import { engineTenant, everyMethod, undocumented, upn, user, userId } from './support/engine-tenant.js';

const preferences = ['push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice', null] as const;
const stormUsers = Array.from({ length: 20 }, (_, i) => `storm-${i}`);

let emu: TestEmulator;
let sut: EngineUnderTest;

beforeAll(async () => {
  emu = await startTestEmulator(
    engineTenant([
      ...stormUsers.map((name, i) =>
        user(name, everyMethod(name), { preferredMethod: preferences[i % preferences.length] }),
      ),
      user('interrupted', everyMethod('interrupted'), { preferredMethod: 'voiceAlternateMobile' }),
    ]),
  );
  sut = engineFor(emu, { maxConcurrency: 12, maxWaitMs: 5_000 });
});
afterAll(async () => {
  await emu?.stop();
});

/** For every throttled or unavailable answer, the delay until the same call came again. */
function retryGaps(log: readonly LoggedRequest[], statuses: readonly number[]): number[] {
  const gaps: number[] = [];
  log.forEach((entry, i) => {
    if (!statuses.includes(entry.status)) return;
    const again = log.slice(i + 1).find((r) => r.method === entry.method && r.path === entry.path);
    if (again) gaps.push(Date.parse(again.time) - Date.parse(entry.time));
  });
  return gaps;
}

describe('reset engine under faults', () => {
  it('completes every reset through a storm of 429s, 503s, 504s and dropped connections, honouring Retry-After', async () => {
    await emu.clearRequests();
    await emu.setFaults({ seed: 42, rates: { '429': 0.25, '503': 0.1, '504': 0.1, reset: 0.05 }, retryAfter: 0.5 });
    const results = await Promise.all(stormUsers.map((name) => resetLikeWorker(sut.engine, upn(name), opts())));
    await emu.setFaults(null);

    for (const [i, r] of results.entries()) {
      expect(r.outcome, `${stormUsers[i]}: ${JSON.stringify(r.error)}`).toBe('reset');
      // The hardware token stays (Graph lets no application delete it).
      expect(r.methodsRemaining.map((m) => m.type).sort()).toEqual(['hardwareOath', 'password']);
    }
    for (const name of stormUsers) expect((await emu.user(userId(name))).methods).toHaveLength(2);

    const log = await emu.requests();
    expect(log.filter((r) => r.status === 429).length).toBeGreaterThan(30);
    expect(log.filter((r) => r.status === 0).length).toBeGreaterThan(5);
    // Retry-After: 0.5 on injected 429/503: the same call never came back sooner (clock granularity allowed for).
    const gaps = retryGaps(log, [429, 503]);
    expect(gaps.length).toBeGreaterThan(30);
    expect(Math.min(...gaps), JSON.stringify(results.map((r) => r.deferrals))).toBeGreaterThanOrEqual(490);
    expect(undocumented(log.map((r) => r.path))).toEqual([]);
    // The adaptive limit reacted to the throttling and stayed within its ceiling.
    const stats = sut.graph.limiter.stats();
    expect(stats.decreases).toBeGreaterThan(0);
    expect(stats.limit).toBeLessThanOrEqual(12);
    expect(stats.inFlight).toBe(0);
  });

  it('a reset interrupted half-way completes when run again from its snapshot', async () => {
    // Every phone DELETE times out at the gateway: the engine defers the item after the other deletes went through.
    await emu.setFaults({ seed: 7, rates: { '504': 1 }, path: '/phoneMethods/', methods: ['DELETE'] });
    let snapshot: MethodRef[] | undefined;
    const first = await sut.engine
      .reset(upn('interrupted'), opts(), {
        onPlanned: (planned) => {
          snapshot = [...planned];
          return Promise.resolve();
        },
      })
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetryLaterError);
    expect(snapshot).toHaveLength(13);
    const halfway = await emu.user(userId('interrupted'));
    expect(halfway.methods.length).toBeGreaterThan(2);
    expect(halfway.methods.length).toBeLessThan(15);

    await emu.setFaults(null);
    let replanned: readonly MethodRef[] | undefined;
    const second = await sut.engine.reset(upn('interrupted'), opts(), {
      snapshot,
      onPlanned: (planned) => {
        replanned = planned;
        return Promise.resolve();
      },
    });
    expect(replanned).toEqual(snapshot); // the stored snapshot stays whole
    expect(second.outcome).toBe('reset');
    expect(second.methodsRemoved).toHaveLength(13);
    expect(second.sessionsRevoked).toBe(true);
    expect((await emu.user(userId('interrupted'))).methods).toHaveLength(2);
  });
});
