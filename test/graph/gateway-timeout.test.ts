// Graph's authentication-method APIs time out after 60 s with a 504 (resources/authenticationmethods-overview, v1.0).
// The emulator plays that (knob authMethodsTimeoutMs, fault latency): the call is retried while the time spent,
// timed-out attempts included, stays within the budget, then handed back as RetryLaterError (the worker defers the
// item). The timed-out delete took effect all the same, which the next attempt sees as already gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphTransportError, RetryLaterError } from '../../src/lib/domain/index.js';
import { createGraphCredential, createGraphPort } from '../../src/lib/graph/index.js';
import type { GraphPortWithStats } from '../../src/lib/graph/index.js';
import { engineTenant, everyMethod, user, userId } from '../engine/support/engine-tenant.js';
import type { TestEmulator } from '../support/emulator.js';
import { graphEnvFor, startTestEmulator } from '../support/emulator.js';

const TIMEOUT_MS = 150;
const BUDGET_MS = 1_000;

let emu: TestEmulator;
let graph: GraphPortWithStats;

beforeAll(async () => {
  emu = await startTestEmulator(engineTenant([user('tim', everyMethod('tim'))]));
  graphEnvFor(emu);
  graph = createGraphPort({
    baseUrl: emu.env.GRAPH_BASE_URL,
    credential: createGraphCredential(),
    maxConcurrency: 4,
    maxWaitMs: BUDGET_MS,
    retry: { baseDelayMs: 20, maxDelayMs: 100, attemptTimeoutMs: 400 },
  });
  await emu.setKnobs({ authMethodsTimeoutMs: TIMEOUT_MS });
});
afterAll(async () => {
  await emu?.stop();
});

async function timed<T>(call: Promise<T>): Promise<{ outcome: unknown; ms: number }> {
  const started = Date.now();
  const outcome = await call.catch((e: unknown) => e);
  return { outcome, ms: Date.now() - started };
}

describe('the 60 s timeout of the authentication-method APIs', () => {
  it('retries a delete that times out at the gateway within the budget, then defers; the delete took effect', async () => {
    const listed = (await graph.listMethods(userId('tim'))).find((m) => m.type === 'email')!;
    const email = { type: 'email' as const, id: listed.id };
    await emu.clearRequests();
    await emu.setFaults({ seed: 1, latencyMs: { min: 300, max: 300 }, path: '/emailMethods/', methods: ['DELETE'] });
    const { outcome, ms } = await timed(graph.deleteMethod(userId('tim'), email));
    await emu.setFaults(null);
    const log = await emu.requests({ path: '/emailMethods/' });
    expect(outcome, `after ${log.length} attempts in ${ms} ms`).toBeInstanceOf(RetryLaterError);
    expect(log.map((r) => r.status)).toEqual(Array(log.length).fill(504));
    // Retried, but the timed-out attempts count against the budget: no more than it allows, plus the last attempt.
    expect(log.length).toBeGreaterThan(1);
    expect(ms).toBeLessThan(BUDGET_MS + TIMEOUT_MS + 500);
    // The emulator (like the worst case of Graph) applied the delete that timed out: the next try finds it gone.
    expect(await graph.deleteMethod(userId('tim'), email)).toBe('not_found');
    expect((await graph.listMethods(userId('tim'))).some((m) => m.id === email.id)).toBe(false);
  });

  it('abandons an attempt that gets no answer at all after attemptTimeoutMs, like a dropped connection', async () => {
    await emu.clearRequests();
    // Not an authentication path: the emulator just holds the answer back for 2 s.
    await emu.setFaults({ seed: 2, latencyMs: { min: 2_000, max: 2_000 }, path: '/revokeSignInSessions' });
    const { outcome, ms } = await timed(graph.revokeSignInSessions(userId('tim')));
    await emu.setFaults(null);
    // Abandoned at 400 ms each, retried until the budget is spent, then handed back to the caller.
    expect(outcome).toBeInstanceOf(RetryLaterError);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(BUDGET_MS + 400 + 500);
    // Without retries left the caller sees the transport failure and its cause.
    const once = createGraphPort({
      baseUrl: emu.env.GRAPH_BASE_URL,
      credential: createGraphCredential(),
      maxConcurrency: 1,
      maxWaitMs: 0,
      retry: { maxAttempts: 1, attemptTimeoutMs: 200 },
    });
    await emu.setFaults({ seed: 3, latencyMs: { min: 2_000, max: 2_000 }, path: '/authentication/methods' });
    const failed = await timed(once.listMethods(userId('tim')));
    await emu.setFaults(null);
    expect(failed.outcome).toBeInstanceOf(RetryLaterError);
    expect(failed.ms).toBeLessThan(1_000);
    // A write not safe to repeat is not repeated: the caller learns that it may have taken effect.
    await emu.setFaults({ seed: 4, latencyMs: { min: 2_000, max: 2_000 }, path: '/revokeSignInSessions' });
    const write = await timed(
      once.send({
        method: 'POST',
        version: 'v1.0',
        path: `/users/${userId('tim')}/revokeSignInSessions`,
        operation: 'POST /users/{id}/revokeSignInSessions',
        permissions: [],
      }),
    );
    await emu.setFaults(null);
    expect(write.outcome).toBeInstanceOf(GraphTransportError);
    expect((write.outcome as GraphTransportError).outcomeUnknown).toBe(true);
    expect((write.outcome as Error).message).toMatch(/no answer from Microsoft Graph within 200 ms/);
    expect(write.ms).toBeLessThan(1_000);
  });
});
