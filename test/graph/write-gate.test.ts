import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphCredential, createGraphPort } from '../../src/lib/graph/index.js';
import { WriteGate, gatesWrites } from '../../src/lib/graph/write-gate.js';
import { RetryLaterError } from '../../src/lib/domain/index.js';
import type { TestEmulator } from '../support/emulator.js';
import { graphEnvFor, startTestEmulator } from '../support/emulator.js';
import { engineTenant, user, userId } from '../engine/support/engine-tenant.js';

let emu: TestEmulator;

beforeAll(async () => {
  // Size L: 8,000 resource units per 10 s, so that the write quota (3,000 per 150 s) is what runs out first.
  emu = await startTestEmulator({ ...engineTenant([user('ada', []), user('bob', [])]), size: 'L' });
  graphEnvFor(emu);
});
afterAll(async () => {
  await emu?.stop();
});

describe('write gate', () => {
  it('opens and closes with the Retry-After it was given', () => {
    const gate = new WriteGate();
    expect(gate.remainingMs(1_000)).toBe(0);
    gate.block(5_000, 1_000);
    expect(gate.remainingMs(2_000)).toBe(4_000);
    gate.block(1_000, 2_000); // a shorter wait never shortens the gate
    expect(gate.remainingMs(2_000)).toBe(4_000);
    expect(gate.remainingMs(6_000)).toBe(0);
  });

  it('closes only for the write quota, not for other throttling', () => {
    const headers = (information?: string): Headers =>
      new Headers(information ? { 'x-ms-throttle-information': information } : {});
    expect(gatesWrites(429, 'DELETE', headers('WriteLimitExceeded'))).toBe(true);
    expect(gatesWrites(429, 'POST', headers('WriteLimitExceeded'))).toBe(true);
    expect(gatesWrites(429, 'DELETE', headers('ResourceUnitLimitExceeded'))).toBe(false);
    expect(gatesWrites(429, 'DELETE', headers())).toBe(false);
    expect(gatesWrites(429, 'GET', headers('WriteLimitExceeded'))).toBe(false);
    expect(gatesWrites(503, 'DELETE', headers('WriteLimitExceeded'))).toBe(false);
  });

  it('after the write quota is spent, later writes are deferred without being sent while reads still go', async () => {
    await emu.setThrottle({ profile: 'documented', timeScale: 1 });
    const graph = createGraphPort({
      baseUrl: emu.env.GRAPH_BASE_URL,
      credential: createGraphCredential(),
      maxConcurrency: 32,
      maxWaitMs: 5_000,
      writeBudget: { pacing: false }, // spend the window as fast as possible (pacing: test/domain/write-rate.test.ts)
    });
    try {
      // Spend the 3,000 writes of the window (revoking sessions is a write that can be repeated).
      let sent = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (sent < 3_000) {
            sent += 1;
            await graph.revokeSignInSessions(userId('ada'));
          }
        }),
      );
      const refused = await graph.revokeSignInSessions(userId('ada')).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RetryLaterError);
      expect(graph.writeQuotaWaitMs()).toBeGreaterThan(60_000);

      await emu.clearRequests();
      const deferred = await graph.revokeSignInSessions(userId('bob')).catch((e: unknown) => e);
      expect(deferred).toBeInstanceOf(RetryLaterError);
      expect((deferred as RetryLaterError).retryAfterMs).toBeGreaterThan(60_000);
      expect(await graph.getUser(userId('bob'))).toMatchObject({ id: userId('bob') });
      const log = await emu.requests({});
      expect(log.filter((r) => r.method === 'POST')).toHaveLength(0);
      expect(log.filter((r) => r.method === 'GET' && r.status === 200)).toHaveLength(1);
    } finally {
      await emu.setThrottle({ profile: 'off' });
    }
  });
});
