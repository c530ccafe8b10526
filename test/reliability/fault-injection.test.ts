// REL-06 at scale: 20% of Graph calls fail (429, 503 and 504 with or without Retry-After, and dropped connections),
// across a bulk request. Every item completes with its methods gone, none is poisoned, and each user's reset is
// recorded once. Bounded in `npm test`; HARDEN_FULL=1 runs 500 users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCompleteAuditChains } from '../audit/support/audit-chains.js';
import { tenantWith } from './support/fixture.js';
import { startStack, type Stack } from './support/stack.js';

const userCount = process.env.HARDEN_FULL === '1' ? 500 : 60;
const { fixture, users } = tenantWith('fault', userCount);
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ fixture });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Graph faults at 20%', () => {
  const budgetMs = userCount * 1_500 + 30_000;
  it(`completes every one of ${userCount} users, none poisoned`, { timeout: budgetMs + 60_000 }, async () => {
    await stack.emulator.setFaults({
      seed: 20_261_127,
      rates: { '429': 0.05, '503': 0.05, '504': 0.05, reset: 0.05 },
      retryAfter: 1,
    });
    await stack.startHost();
    const submitted = await stack.submit({
      users: users.map((u) => u.upn),
      ticket: 'INC0300001',
      reason: 'compromised',
    });
    expect(submitted.status).toBe(202);
    const requestId = (submitted.json as { id: string }).id;

    const status = await stack.waitCompleted(requestId, budgetMs);
    const faults = (await stack.emulator.control<{ injected: number }>('GET', 'faults')).body;
    await stack.emulator.setFaults(null);

    expect(status.counts).toMatchObject({ reset: userCount, failed: 0 });
    await stack.waitQueuesEmpty(30_000);

    // Every method of every user is gone.
    for (const u of users) {
      const left = (await stack.emulator.user(u.id)).methods.map((m) => m.id);
      expect(
        left.filter((id) => u.methodIds.includes(id)),
        u.upn,
      ).toEqual([]);
    }
    // One completion per user; the faults really happened.
    const audit = await stack.store.listAudit(requestId);
    const completed = audit.filter((e) => e.eventType === 'ResetCompleted').map((e) => e.item);
    expect(completed).toHaveLength(userCount);
    expect(new Set(completed).size).toBe(userCount);
    const graphCalls = (await stack.emulator.requests()).filter((r) => !r.path.includes('/msi/')).length;
    expect(faults.injected).toBeGreaterThan(graphCalls * 0.1);
    console.log(
      `fault-injection: users=${userCount} graphCalls=${graphCalls} faultsInjected=${faults.injected} ` +
        `(${((100 * faults.injected) / graphCalls).toFixed(1)}%)`,
    );
    await expectCompleteAuditChains(stack.azurite.connectionString, 'fault-injection');
  });
});
