// REL-03/04: at-least-once delivery. A finished item delivered again makes no Graph call; two copies of one message
// processed at the same time by two host processes execute the reset once.
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCompleteAuditChains } from '../audit/support/audit-chains.js';
import { tenantWith } from './support/fixture.js';
import { startHostProcess, type HostProcess } from './support/host-process.js';
import { hostEnvFor, startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait-for.js';

const { fixture, users } = tenantWith('dup', 2);
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    fixture,
    hostEnv: { HARDEN_RECEIVE_VISIBILITY_SECONDS: '5', HARDEN_LEASE_SECONDS: '2' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const itemMessage = (requestId: string): string =>
  Buffer.from(JSON.stringify({ v: 1, requestId, item: 0 })).toString('base64');

async function sendCopy(requestId: string): Promise<void> {
  const queue = QueueServiceClient.fromConnectionString(stack.azurite.connectionString).getQueueClient('reset-items');
  await queue.sendMessage(itemMessage(requestId));
}

const drained = () => stack.waitQueuesEmpty(30_000);

describe('duplicate deliveries', () => {
  it('a finished item delivered again makes no Graph call and no second completion', async () => {
    const user = users[0];
    const host = await stack.startHost();
    const submitted = await stack.submit({ user: user.id, ticket: 'INC0200001', reason: 'lost_device' });
    expect(submitted.status).toBe(202);
    const requestId = (submitted.json as { id: string }).id;
    await stack.waitCompleted(requestId);
    await drained();

    const mark = Math.max(0, ...(await stack.emulator.requests()).map((r) => r.seq));
    const linesBefore = host.lines.length;
    await sendCopy(requestId);
    await sendCopy(requestId);
    await waitFor(() => host.lines.slice(linesBefore).filter((l) => l.includes('item_already_final')).length >= 2, {
      what: 'both redeliveries to be recognised as finished',
      timeoutMs: 20_000,
    });
    await drained();

    expect(await stack.emulator.requests({ since: mark })).toEqual([]);
    const audit = await stack.store.listAudit(requestId);
    expect(audit.filter((e) => e.eventType === 'ResetCompleted')).toHaveLength(1);
    await stack.stopHost();
  });

  it('two copies of one message processed at the same time by two hosts execute once', async () => {
    const user = users[1];
    // Intake only: the request is stored and its message queued, but nothing runs it yet.
    await stack.startHost({ MFA_RESET_FUNCTIONS: 'intake' });
    const submitted = await stack.submit({ user: user.id, ticket: 'INC0200002', reason: 'lost_device' });
    expect(submitted.status).toBe(202);
    const requestId = (submitted.json as { id: string }).id;
    await stack.stopHost();
    await sendCopy(requestId); // the duplicate a producer retry or a redelivery would make

    // Slow deletes keep the first execution running while the second copy arrives.
    await stack.emulator.setFaults({
      seed: 2,
      path: `/users/${user.id}/authentication/`,
      methods: ['DELETE'],
      latencyMs: { min: 800, max: 800 },
    });
    const env = hostEnvFor(stack, { MFA_RESET_FUNCTIONS: 'worker', HARDEN_LEASE_SECONDS: '2' });
    const hosts: HostProcess[] = await Promise.all(
      [0, 1].map(() => startHostProcess({ entry: 'test/reliability/support/host-entry.ts', env })),
    );
    try {
      await Promise.all(hosts.map((h) => h.waitForLine(/"event":"harness_started"/, 45_000)));
      await waitFor(async () => (await stack.store.getItem(requestId, 0))?.status === 'final', {
        what: 'the item to be final',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      await drained();
    } finally {
      await Promise.all(hosts.map((h) => h.stop()));
      await stack.emulator.setFaults(null);
    }

    const lines = hosts.flatMap((h) => h.lines);
    expect(lines.filter((l) => l.includes('item_claimed'))).toHaveLength(1);
    // The other copy arrived while the first held the item (slow deletes make sure of it) and stood back.
    expect(lines.filter((l) => l.includes('item_leased_elsewhere')).length).toBeGreaterThanOrEqual(1);

    const deletes = (await stack.emulator.requests({ method: 'DELETE' })).filter((r) =>
      r.path.includes(`/users/${user.id}/`),
    );
    expect(deletes.filter((d) => d.status === 204)).toHaveLength(4);
    expect(deletes.filter((d) => d.status === 404)).toHaveLength(0);
    const audit = await stack.store.listAudit(requestId);
    expect(audit.filter((e) => e.eventType === 'ExecutionStarted')).toHaveLength(1);
    expect(audit.filter((e) => e.eventType === 'ResetCompleted')).toHaveLength(1);
    expect((await stack.store.getItem(requestId, 0))?.attempts).toBe(1);
  });

  it('leaves every request with a complete, unbroken audit chain', async () => {
    await expectCompleteAuditChains(stack.azurite.connectionString, 'duplicate-delivery');
  });
});
