// Storage goes away mid-run: Azurite (on-disk persistence) is restarted while a bulk request and several single
// requests are being worked on. No request and no item is lost: every one completes, once, with its methods gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCompleteAuditChains } from '../audit/support/audit-chains.js';
import { tenantWith } from './support/fixture.js';
import { startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait-for.js';

const bulkUsers = 40;
const singles = 5;
const { fixture, users } = tenantWith('restart', bulkUsers + singles);
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    fixture,
    onDisk: true,
    // Work interrupted by the outage comes back within seconds, not after the host's 10-minute visibility.
    hostEnv: { HARDEN_RECEIVE_VISIBILITY_SECONDS: '5', HARDEN_LEASE_SECONDS: '3', HARDEN_RETRY_VISIBILITY_MS: '1000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Azurite restart mid-run', () => {
  it('loses no request and no item', async () => {
    // Slow deletes keep work in flight when storage goes down.
    await stack.emulator.setFaults({ seed: 3, methods: ['DELETE'], latencyMs: { min: 100, max: 400 } });
    await stack.startHost();

    const bulk = await stack.submit({
      users: users.slice(0, bulkUsers).map((u) => u.upn),
      ticket: 'INC0400001',
      reason: 'compromised',
    });
    expect(bulk.status).toBe(202);
    const requestIds = [(bulk.json as { id: string }).id];
    for (const u of users.slice(bulkUsers)) {
      const r = await stack.submit({ user: u.upn, ticket: 'INC0400002', reason: 'lost_device' });
      expect(r.status).toBe(202);
      requestIds.push((r.json as { id: string }).id);
    }

    // Restart storage once some, not all, of the bulk request is done.
    const bulkId = requestIds[0];
    const progress = await waitFor(
      async () => {
        const summary = (await stack.get(`/api/resets/${bulkId}`)).json as { pending: number; total: number };
        return summary.pending < summary.total * 0.8 && summary.pending > 0 ? summary : undefined;
      },
      { what: 'the bulk request to be partly done', timeoutMs: 60_000, intervalMs: 100 },
    );
    const linesBefore = stack.host().lines.length;
    await stack.azurite.restart();
    const restartedAt = Date.now();
    const restartedWith = progress.pending;

    // Everything completes.
    for (const id of requestIds) {
      const status = await stack.waitCompleted(id, 90_000);
      expect(status.counts, id).toMatchObject({ failed: 0 });
      expect((status.counts as Record<string, number>).reset).toBe(id === bulkId ? bulkUsers : 1);
    }
    await stack.emulator.setFaults(null);
    await stack.waitQueuesEmpty(30_000);

    for (const u of users) {
      const left = (await stack.emulator.user(u.id)).methods.map((m) => m.id);
      expect(
        left.filter((id) => u.methodIds.includes(id)),
        u.upn,
      ).toEqual([]);
    }
    for (const id of requestIds) {
      const audit = await stack.store.listAudit(id);
      const completed = audit.filter((e) => e.eventType === 'ResetCompleted').map((e) => e.item);
      expect(new Set(completed).size).toBe(completed.length);
      expect(completed).toHaveLength(id === bulkId ? bulkUsers : 1);
    }
    // The restart fell in the middle of the work: items finished after storage came back.
    const items = await Promise.all(Array.from({ length: bulkUsers }, (_, i) => stack.store.getItem(bulkId, i)));
    const finishedAfter = items.filter(
      (i) => i?.finishedAt !== undefined && Date.parse(i.finishedAt) > restartedAt,
    ).length;
    expect(finishedAfter).toBeGreaterThan(0);
    const warnings = stack
      .host()
      .lines.slice(linesBefore)
      .filter((l) => /"level":"(warn|error)"/.test(l)).length;
    console.log(
      `azurite-restart: restarted with ${restartedWith} of ${bulkUsers} bulk items pending; ${finishedAfter} finished ` +
        `after the restart; ${warnings} host warnings/errors during the outage`,
    );
    // Appends that failed while storage was down were logged and left to reconcile: nothing is lost.
    await expectCompleteAuditChains(stack.azurite.connectionString, 'azurite-restart');
  });
});
