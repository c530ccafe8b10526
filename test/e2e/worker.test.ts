// The worker side on its own (MFA_RESET_FUNCTIONS=worker): requests written straight to the store and queued,
// processed through the harness's queue host, the real Graph client and the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { defaultResetOptions, type ResetOptions } from '../../src/lib/domain/index.js';
import type { StateStore, StoredRequest } from '../../src/lib/store/index.js';
import { telemetryEvents } from '../../src/lib/telemetry/index.js';
import { processItem } from '../../src/lib/worker/index.js';
import { newTicket, startStack, until, type TestStack, finalItem } from './support/stack.js';

let stack: TestStack;
/** Requests whose items the worker cannot claim: the store throws, as during a storage outage. */
const claimFails = new Set<string>();
beforeAll(async () => {
  stack = await startStack({
    mode: 'worker',
    compose: { queue: { directLimit: 2, itemsPerBatch: 3 } },
    workerStore: (store) =>
      new Proxy(store, {
        get(target, key, receiver) {
          if (key === 'claimItem') {
            return (
              requestId: string,
              ...rest: Parameters<StateStore['claimItem']> extends [string, ...infer R] ? R : never
            ) =>
              claimFails.has(requestId)
                ? Promise.reject(new Error('simulated storage outage'))
                : target.claimItem(requestId, ...rest);
          }
          return Reflect.get(target, key, receiver) as unknown;
        },
      }),
  });
});
afterAll(async () => {
  await stack?.stop();
});

const requester = { tenantId: DEMO_TENANT_ID, appId: DEMO_APPS.logicApp.appId, identityType: 'app' } as const;

async function submit(
  users: string[],
  options: Partial<ResetOptions> = {},
  beforeQueueing: (requestId: string) => void = () => undefined,
): Promise<StoredRequest> {
  const ticket = newTicket();
  const created = await stack.app.store.createRequest({
    requester,
    ticket,
    reason: 'lost_device',
    options: { ...defaultResetOptions, ...options },
    source: 'json',
    items: users.map((userKey) => ({ userKey, ticket, reason: 'lost_device' as const })),
    idempotencyKey: `test:${ticket}`,
    fingerprint: ticket,
  });
  if (created.kind !== 'created') throw new Error(`unexpected ${created.kind}`);
  beforeQueueing(created.request.id);
  await stack.app.queue.submit(created.request.id, users.length);
  await stack.app.store.markEnqueued(created.request.id);
  return created.request;
}

async function finished(request: StoredRequest) {
  return until(async () => {
    // The summary is computed from the current request row (it records when work started).
    const current = await stack.app.store.getRequest(request.id);
    const summary = current ? await stack.app.store.getSummary(current) : undefined;
    return summary?.pending === 0 ? summary : undefined;
  }, `request ${request.id} to finish`);
}

describe('worker functions', () => {
  it('resets users through fan-out and the item queue, with the outcome each demo user should get', async () => {
    const users = [
      DEMO_USERS.everything,
      DEMO_USERS.passwordOnly,
      DEMO_USERS.breakGlass,
      'nobody@contoso.example',
      DEMO_USERS.defaultSms,
    ];
    const request = await submit(users);
    const summary = await finished(request);
    expect(summary.counts).toMatchObject({ reset: 2, nothing_to_reset: 1, protected: 1, not_found: 1, failed: 0 });
    const page = await stack.app.store.listItems(request, 1);
    expect(page.items.map((i) => i.outcome)).toEqual(['reset', 'nothing_to_reset', 'protected', 'not_found', 'reset']);
    const laura = await stack.emulator.user(DEMO_USERS.everything);
    // Her hardware OATH token stays: Graph lets no application delete one (docs/api.md).
    expect(laura.methods.map((m) => m['@odata.type'])).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.hardwareOathAuthenticationMethod',
    ]);
    expect(stack.telemetry.total('mfa_reset.items.processed')).toBeGreaterThanOrEqual(5);
  });

  it('does nothing for a redelivered final item: no Graph call, the message is acknowledged', async () => {
    const request = await submit([DEMO_USERS.defaultPush]);
    await finished(request);
    await stack.emulator.clearRequests();
    const before = stack.telemetry.eventsNamed(telemetryEvents.duplicateDeliveryIgnored).length;
    await stack.app.queue.enqueueItems(request.id, 0, 1);
    await until(
      () => stack.telemetry.eventsNamed(telemetryEvents.duplicateDeliveryIgnored).length > before,
      'duplicate ignored',
    );
    expect(await stack.emulator.requests()).toEqual([]);
  });

  it('marks an item failed with the reason when its message reaches the poison queue', async () => {
    // The worker throws on every delivery; after maxDequeueCount (host.json: 5) attempts the host moves the message
    // to reset-items-poison, whose function marks the item failed: no item stays pending forever.
    const request = await submit([DEMO_USERS.plain], {}, (id) => claimFails.add(id));
    const item = await finalItem(stack.app.store, request.id, 'the poisoned item to be final');
    expect(item.outcome).toBe('failed');
    expect(item.error?.code).toBe('poison_message');
    expect(item.error?.message).toMatch(/gave up/);
    const items = stack.harness.listeners.find((l) => l.queueName === 'reset-items');
    expect(items?.stats).toMatchObject({ poisoned: 1 });
    expect(stack.telemetry.eventsNamed(telemetryEvents.itemPoisoned).map((e) => e.properties.requestId)).toEqual([
      request.id,
    ]);
    const audit = await stack.app.store.listAudit(request.id);
    expect(audit.map((a) => a.eventType)).toContain('PoisonQuarantined');
    // Graph was never called for this user.
    expect((await stack.emulator.requests({ path: 'plain.peggy' })).length).toBe(0);
  });

  it('lets exactly one of two concurrent deliveries run the reset; the other re-queues itself past the lease', async () => {
    // Stored but not queued: the two "deliveries" are direct calls, racing for the claim.
    const ticket = newTicket();
    const created = await stack.app.store.createRequest({
      requester,
      ticket,
      reason: 'lost_device',
      options: defaultResetOptions,
      source: 'json',
      items: [{ userKey: DEMO_USERS.defaultOath, ticket, reason: 'lost_device' }],
      idempotencyKey: `test:${ticket}`,
      fingerprint: ticket,
    });
    if (created.kind !== 'created') throw new Error(created.kind);
    const worker = stack.app.worker;
    if (!worker) throw new Error('worker deps missing');
    const user = await stack.emulator.user(DEMO_USERS.defaultOath);
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const deliver = (invocationId: string) =>
      processItem(worker, { v: 1, requestId: created.request.id, item: 0 }, { invocationId, log: quiet });
    // Overlap for certain: Graph holds copy-a's deletes, and copy-b arrives once copy-a holds the lease. Started
    // together instead, a busy machine could let copy-a finish first, and copy-b would only see a duplicate.
    await stack.emulator.setFaults({ seed: 7, latencyMs: { min: 400, max: 400 }, path: user.id, methods: ['DELETE'] });
    try {
      const first = deliver('copy-a');
      await until(
        async () => (await stack.app.store.getItem(created.request.id, 0))?.status === 'running',
        'copy-a to claim the item',
      );
      const second = await deliver('copy-b');
      expect(second).toBe('deferred_leased');
      expect(await first).toBe('completed');
    } finally {
      await stack.emulator.setFaults(null);
    }
    const deletes = await stack.emulator.requests({ path: user.id, method: 'DELETE' });
    expect(deletes.filter((r) => r.status < 300)).toHaveLength(user.methods.length - 1);
    const audit = await stack.app.store.listAudit(created.request.id);
    expect(audit.filter((a) => a.eventType === 'ResetCompleted')).toHaveLength(1);
  });
});
