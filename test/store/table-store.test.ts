import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerRef, Requester, ResetResult } from '../../src/lib/domain/index.js';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import { createTableClient, createTableStore, type NewRequest, type TableStore } from '../../src/lib/store/index.js';
import { startTestAzurite } from '../support/azurite.js';
import type { RunningAzurite } from '../support/azurite.js';

const caller: CallerRef = { tenantId: 't1', appId: 'app-a', objectId: 'sp-a' };
const otherCaller: CallerRef = { tenantId: 't1', appId: 'app-b' };
const requester: Requester = { ...caller, identityType: 'app', tokenId: 'uti-a1', clientAddress: '198.51.100.7' };

let azurite: RunningAzurite;
let store: TableStore;
let clockMs = Date.parse('2026-01-01T10:00:00Z');
const advance = (seconds: number): void => {
  clockMs += seconds * 1000;
};

function draft(users: string[], overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    requester,
    ticket: 'INC0012345',
    reason: 'lost_device',
    requestedBy: 'agent@contoso.com',
    options: defaultResetOptions,
    source: 'json',
    items: users.map((u) => ({ userKey: u, ticket: 'INC0012345', reason: 'lost_device' })),
    idempotencyKey: randomUUID(),
    fingerprint: 'fp-1',
    correlationId: 'corr-1',
    ...overrides,
  };
}

function result(overrides: Partial<ResetResult> = {}): ResetResult {
  return {
    outcome: 'reset',
    userId: '0b7e1a2c-1111-2222-3333-444455556666',
    methodsBefore: [{ type: 'phone', id: 'p1' }],
    planned: [{ type: 'phone', id: 'p1' }],
    methodsRemoved: [{ type: 'phone', id: 'p1' }],
    methodsRemaining: [],
    unknownTypes: [],
    sessionsRevoked: true,
    graphRequestIds: ['g-1', 'g-2'],
    startedAt: new Date(clockMs).toISOString(),
    finishedAt: new Date(clockMs).toISOString(),
    ...overrides,
  };
}

async function created(d: NewRequest) {
  const r = await store.createRequest(d);
  if (r.kind !== 'created') throw new Error(`expected created, got ${r.kind}`);
  return r.request;
}

beforeAll(async () => {
  azurite = await startTestAzurite();
  store = createTableStore(
    { storage: { kind: 'connectionString', connectionString: azurite.connectionString } },
    { now: () => new Date(clockMs), inFlightSeconds: 60 },
  );
});
afterAll(async () => {
  await azurite?.stop();
});

describe('table store: intake', () => {
  it('creates a request with its items, accepted, readable only by its caller', async () => {
    const request = await created(draft(['a@contoso.com', 'b@contoso.com']));
    expect(request.phase).toBe('accepted');
    expect(request.itemCount).toBe(2);
    expect(await store.getRequestForCaller(request.id, caller)).toMatchObject({ id: request.id, ticket: 'INC0012345' });
    expect(await store.getRequestForCaller(request.id, otherCaller)).toBeUndefined();
    expect(await store.getRequestForCaller(randomUUID(), caller)).toBeUndefined();
    const page = await store.listItems(request, 1);
    expect(page.items.map((i) => [i.index, i.userKey, i.status])).toEqual([
      [0, 'a@contoso.com', 'queued'],
      [1, 'b@contoso.com', 'queued'],
    ]);
    const audit = await store.listAudit(request.id);
    expect(audit.map((a) => a.eventType)).toEqual(['RequestReceived']);
    expect(audit[0]).toMatchObject({
      requester,
      claimed: { requestedBy: 'agent@contoso.com' },
      ticket: 'INC0012345',
      itemCount: 2,
    });
    expect(audit[0]).not.toHaveProperty('caller');
    expect(audit[0]).not.toHaveProperty('requestedBy');
  });

  it('returns the same request for the same key and body, and a conflict for another body', async () => {
    const d = draft(['c@contoso.com']);
    const first = await created(d);
    const again = await store.createRequest(d);
    expect(again).toMatchObject({ kind: 'existing', request: { id: first.id } });
    const third = await store.createRequest(d);
    expect(third).toMatchObject({ kind: 'existing', request: { id: first.id } });
    expect((await store.listItems(first, 1)).items).toHaveLength(1);
    expect(await store.createRequest({ ...d, fingerprint: 'fp-other' })).toEqual({
      kind: 'conflict',
      requestId: first.id,
    });
  });

  it('forgets a key after the idempotency window: the same key then makes a new request', async () => {
    const windowed = createTableStore(
      { storage: { kind: 'connectionString', connectionString: azurite.connectionString } },
      { now: () => new Date(clockMs), idempotencyWindowSeconds: 3600 },
    );
    const d = draft(['window@contoso.com']);
    const first = await windowed.createRequest(d);
    if (first.kind !== 'created') throw new Error(`expected created, got ${first.kind}`);
    advance(3599);
    expect(await windowed.createRequest(d)).toMatchObject({ kind: 'existing', request: { id: first.request.id } });
    expect(await windowed.findRequestByKey?.(d.idempotencyKey)).toMatchObject({ id: first.request.id });
    advance(1);
    expect(await windowed.findRequestByKey?.(d.idempotencyKey)).toBeUndefined();
    // Past the window even another body is a new request, not a conflict; two racing renewals agree on one id.
    const [a, b] = await Promise.all([
      windowed.createRequest({ ...d, fingerprint: 'fp-reopened' }),
      windowed.createRequest({ ...d, fingerprint: 'fp-reopened' }),
    ]);
    const renewed = [a, b].find((r) => r.kind === 'created');
    if (renewed?.kind !== 'created') throw new Error(`expected one created, got ${a.kind} and ${b.kind}`);
    expect(renewed.request.id).not.toBe(first.request.id);
    expect([a, b].map((r) => (r.kind === 'created' || r.kind === 'existing' ? r.request.id : r.requestId))).toEqual([
      renewed.request.id,
      renewed.request.id,
    ]);
    // The first request is untouched and the new key holds for a window of its own.
    expect(await windowed.getRequest(first.request.id)).toMatchObject({ phase: 'accepted', itemCount: 1 });
    advance(1800);
    expect(await windowed.createRequest({ ...d, fingerprint: 'fp-reopened' })).toMatchObject({
      kind: 'existing',
      request: { id: renewed.request.id },
    });
  });

  it('reports a creation in flight, and resumes one abandoned by a crashed writer', async () => {
    const d = draft(['d@contoso.com', 'e@contoso.com', 'f@contoso.com']);
    // A writer took the key and wrote one item, then died before marking the request accepted.
    const client = createTableClient(
      { kind: 'connectionString', connectionString: azurite.connectionString },
      { tableName: 'mfaresets' },
    );
    const id = randomUUID();
    const at = new Date(clockMs).toISOString();
    await client.createEntity({
      partitionKey: `idem|${d.idempotencyKey}`,
      rowKey: 'idem',
      requestId: id,
      fingerprint: d.fingerprint,
      createdAt: at,
      claimedAt: at,
    });
    await client.createEntity({
      partitionKey: `item|${id}|00000`,
      rowKey: '0000001',
      kind: 'item',
      requestId: id,
      index: 1,
      userKey: 'e@contoso.com',
      ticket: 'INC0012345',
      reason: 'lost_device',
      status: 'final',
      outcome: 'reset',
      attempts: 1,
      createdAt: at,
      updatedAt: at,
    });
    expect(await store.createRequest(d)).toEqual({ kind: 'in_progress', requestId: id });
    advance(61);
    const resumed = await store.createRequest(d);
    expect(resumed).toMatchObject({ kind: 'existing', request: { id, phase: 'accepted', itemCount: 3 } });
    if (resumed.kind !== 'existing') throw new Error('expected the resumed request');
    const items = (await store.listItems(resumed.request, 1)).items;
    // Existing rows are never overwritten by the resumed write.
    expect(items.map((i) => [i.userKey, i.status])).toEqual([
      ['d@contoso.com', 'queued'],
      ['e@contoso.com', 'final'],
      ['f@contoso.com', 'queued'],
    ]);
  });

  it('tracks the queue hand-off: accepted requests are listed for a sweeper until marked enqueued', async () => {
    const request = await created(draft(['g@contoso.com']));
    expect((await store.listUnenqueued(30)).map((r) => r.id)).not.toContain(request.id);
    advance(31);
    expect((await store.listUnenqueued(30)).map((r) => r.id)).toContain(request.id);
    await store.markEnqueued(request.id);
    await store.markEnqueued(request.id); // idempotent
    expect((await store.listUnenqueued(30)).map((r) => r.id)).not.toContain(request.id);
    expect((await store.getRequest(request.id))?.phase).toBe('enqueued');
    const types = (await store.listAudit(request.id)).map((a) => a.eventType);
    expect(types).toEqual(['RequestReceived', 'RequestEnqueued']);
  });
});

describe('table store: worker transitions', () => {
  it('claims, snapshots and completes an item once, with audit rows and counters', async () => {
    const request = await created(draft(['h@contoso.com', 'i@contoso.com']));
    let summary = await store.getSummary(request);
    expect(summary).toMatchObject({ status: 'queued', total: 2, pending: 2 });

    const claim = await store.claimItem(request.id, 0, { owner: 'w1', leaseSeconds: 60, correlationId: 'op-1' });
    expect(claim).toMatchObject({ claimed: true, item: { status: 'running', attempts: 1, lease: { owner: 'w1' } } });
    expect(await store.claimItem(request.id, 0, { owner: 'w2', leaseSeconds: 60 })).toMatchObject({
      claimed: false,
      reason: 'leased',
    });
    summary = await store.getSummary((await store.getRequest(request.id))!);
    expect(summary.status).toBe('running');

    const snap = [{ type: 'phone', id: 'p1' }];
    expect(await store.saveSnapshot(request.id, 0, 'w2', snap)).toMatchObject({ changed: false, reason: 'lost_lease' });
    expect(await store.saveSnapshot(request.id, 0, 'w1', snap)).toMatchObject({
      changed: true,
      item: { snapshot: snap },
    });
    const done = await store.completeItem(request.id, 0, 'w1', result(), 'op-1');
    expect(done).toMatchObject({
      changed: true,
      item: { status: 'final', outcome: 'reset', methodsRemoved: snap, graphRequestIds: ['g-1', 'g-2'] },
    });
    expect((done as { item: { lease?: unknown } }).item.lease).toBeUndefined();

    // A final item never changes again, whoever asks.
    expect(await store.completeItem(request.id, 0, 'w1', result({ outcome: 'failed' }))).toMatchObject({
      changed: false,
      reason: 'final',
    });
    expect(await store.failItem(request.id, 0, { code: 'poison', message: 'x' })).toMatchObject({
      changed: false,
      reason: 'final',
    });
    expect(await store.claimItem(request.id, 0, { owner: 'w3', leaseSeconds: 60 })).toMatchObject({
      claimed: false,
      reason: 'final',
    });
    expect((await store.getItem(request.id, 0))?.outcome).toBe('reset');

    // The other item goes to the poison queue.
    expect(
      await store.failItem(request.id, 1, { code: 'poisoned', message: 'gave up after 5 attempts' }),
    ).toMatchObject({
      changed: true,
      item: { status: 'final', outcome: 'failed', error: { code: 'poisoned' } },
    });

    summary = await store.getSummary((await store.getRequest(request.id))!);
    expect(summary).toMatchObject({ status: 'completed', pending: 0, counts: { reset: 1, failed: 1, planned: 0 } });
    // The totals are cached on the request row once complete.
    const cached = await store.getRequest(request.id);
    expect(cached?.completedAt).toBeDefined();
    expect((await store.getSummary(cached!)).counts).toEqual(summary.counts);

    const audit = await store.listAudit(request.id);
    expect(audit.map((a) => `${a.eventType}:${a.item ?? '-'}`)).toEqual([
      'RequestReceived:-',
      'ExecutionStarted:0',
      'SnapshotSaved:0',
      'ResetCompleted:0',
      'PoisonQuarantined:1',
    ]);
    const completed = audit.find((a) => a.eventType === 'ResetCompleted');
    expect(completed).toMatchObject({
      schemaVersion: '2.0',
      requestId: request.id,
      correlationId: 'op-1',
      requester,
      ticket: 'INC0012345',
      target: { key: 'h@contoso.com', objectId: '0b7e1a2c-1111-2222-3333-444455556666' },
      methodsRemoved: snap,
      graphRequestIds: ['g-1', 'g-2'],
      outcome: 'reset',
    });
    expect(JSON.stringify(audit)).not.toMatch(/eyJ|\+\d{6,}/);
  });

  it('cancels every item not started; a live worker finishes its user; an expired lease does not hold it', async () => {
    const request = await created(draft(['k0@contoso.com', 'k1@contoso.com', 'k2@contoso.com', 'k3@contoso.com']));
    await store.claimItem(request.id, 0, { owner: 'w-done', leaseSeconds: 60 });
    await store.completeItem(request.id, 0, 'w-done', result());
    await store.claimItem(request.id, 1, { owner: 'w-live', leaseSeconds: 600 });
    await store.claimItem(request.id, 2, { owner: 'w-gone', leaseSeconds: 1 });
    advance(2);
    const operator: Requester = {
      tenantId: 't1',
      appId: 'app-ops',
      objectId: 'person-1',
      identityType: 'user',
      tokenId: 'uti-ops',
      clientAddress: '2001:db8::7',
    };
    const first = await store.cancelRequest?.(request.id, operator);
    expect(first).toMatchObject({ cancelled: 2, finishing: [1] });
    expect(first?.request.cancelledAt).toBeDefined();
    // The live worker completes its user; its lease still counts, a cancel cannot take the item from it.
    expect(await store.completeItem(request.id, 1, 'w-live', result())).toMatchObject({ changed: true });
    expect(await store.cancelRequest?.(request.id, requester)).toMatchObject({ cancelled: 0, finishing: [] });
    const summary = await store.getSummary((await store.getRequest(request.id))!);
    expect(summary).toMatchObject({ pending: 0, status: 'completed', counts: { reset: 2, cancelled: 2 } });
    const audit = await store.listAudit(request.id);
    const marks = audit.filter((a) => a.eventType === 'RequestCancelled');
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ actor: operator, requester, claimed: { requestedBy: 'agent@contoso.com' } });
    expect(audit.filter((a) => a.eventType === 'ItemCancelled').map((a) => a.item)).toEqual([2, 3]);
    expect(await store.cancelRequest?.(randomUUID(), requester)).toBeUndefined();
  });

  it('never ends an item whose writes began: a released item with a snapshot is finished, not cancelled or expired', async () => {
    const request = await created(draft(['s0@contoso.com', 's1@contoso.com']));
    await store.claimItem(request.id, 0, { owner: 'w1', leaseSeconds: 60 });
    await store.saveSnapshot(request.id, 0, 'w1', [{ type: 'phone', id: 'p1' }]);
    await store.releaseItem(request.id, 0, 'w1', 'graph_throttled');
    expect(await store.endUnstarted?.(request.id, 0, 'expired')).toMatchObject({
      changed: false,
      reason: 'lost_lease',
    });
    expect(await store.endUnstarted?.(request.id, 1, 'expired')).toMatchObject({
      changed: true,
      item: { status: 'final', outcome: 'expired' },
    });
    expect(await store.cancelRequest?.(request.id, requester)).toMatchObject({ cancelled: 0, finishing: [0] });
  });

  it('keeps the plan of a dry run', async () => {
    const request = await created(draft(['dry@contoso.com']));
    await store.claimItem(request.id, 0, { owner: 'w', leaseSeconds: 60 });
    const planned = [{ type: 'softwareOath', id: 's1' }];
    const done = await store.completeItem(
      request.id,
      0,
      'w',
      result({ outcome: 'planned', planned, methodsRemoved: [], sessionsRevoked: false }),
    );
    expect(done).toMatchObject({
      changed: true,
      item: { outcome: 'planned', methodsPlanned: planned, methodsRemoved: [] },
    });
    expect((await store.getItem(request.id, 0))?.methodsPlanned).toEqual(planned);
  });

  it('lets another worker re-claim an item whose lease expired; the old owner then loses', async () => {
    const request = await created(draft(['j@contoso.com']));
    await store.claimItem(request.id, 0, { owner: 'w1', leaseSeconds: 30 });
    advance(31);
    const reclaim = await store.claimItem(request.id, 0, { owner: 'w2', leaseSeconds: 30 });
    expect(reclaim).toMatchObject({ claimed: true, item: { attempts: 2, lease: { owner: 'w2' } } });
    expect(await store.completeItem(request.id, 0, 'w1', result())).toMatchObject({
      changed: false,
      reason: 'lost_lease',
    });
    expect(await store.releaseItem(request.id, 0, 'w2', 'kill switch on')).toMatchObject({
      changed: true,
      item: { status: 'queued' },
    });
    const again = await store.claimItem(request.id, 0, { owner: 'w3', leaseSeconds: 30 });
    expect(again).toMatchObject({ claimed: true, item: { attempts: 3 } });
    const types = (await store.listAudit(request.id)).map((a) => a.eventType);
    expect(types).toEqual([
      'RequestReceived',
      'ExecutionStarted',
      'ExecutionStarted',
      'ExecutionDeferred',
      'ExecutionStarted',
    ]);
  });

  it('counts every item exactly once under concurrent claims and completions', async () => {
    const users = Array.from({ length: 150 }, (_, i) => `u${i}@contoso.com`);
    const request = await created(draft(users));
    const outcomes = ['reset', 'nothing_to_reset', 'not_found'] as const;
    await Promise.all(
      users.map(async (_, i) => {
        // Two workers race for every item; exactly one wins and completes it.
        const claims = await Promise.all([
          store.claimItem(request.id, i, { owner: `a${i}`, leaseSeconds: 60 }),
          store.claimItem(request.id, i, { owner: `b${i}`, leaseSeconds: 60 }),
        ]);
        const winners = claims.filter((c) => c.claimed);
        expect(winners).toHaveLength(1);
        const owner = winners[0].item.lease!.owner;
        await store.completeItem(request.id, i, owner, result({ outcome: outcomes[i % 3] }));
      }),
    );
    const summary = await store.getSummary((await store.getRequest(request.id))!);
    expect(summary).toMatchObject({
      status: 'completed',
      pending: 0,
      counts: { reset: 50, nothing_to_reset: 50, not_found: 50, failed: 0 },
    });
  });
});

describe('table store: scale', () => {
  it('stores 50,000 items within seconds and answers status and pages quickly', async () => {
    const users = Array.from({ length: 50_000 }, (_, i) => `bulk${i}@contoso.com`);
    const t0 = performance.now();
    const request = await created(draft(users, { source: 'csv' }));
    const createMs = performance.now() - t0;
    expect(request.itemCount).toBe(50_000);

    const t1 = performance.now();
    const summary = await store.getSummary(request);
    const summaryMs = performance.now() - t1;
    expect(summary).toMatchObject({ status: 'queued', total: 50_000, pending: 50_000 });

    const page = await store.listItems(request, 50);
    expect(page).toMatchObject({ page: 50, pages: 50, pageSize: 1000 });
    expect(page.items[0]?.index).toBe(49_000);
    expect(page.items.at(-1)?.userKey).toBe('bulk49999@contoso.com');
    expect((await store.listItems(request, 51)).items).toHaveLength(0);

    // Once work has started, the summary reads one counter row per chunk (500 point reads here).
    await store.claimItem(request.id, 49_999, { owner: 'w', leaseSeconds: 60 });
    await store.completeItem(request.id, 49_999, 'w', result({ outcome: 'not_found' }));
    const t2 = performance.now();
    const started = await store.getSummary((await store.getRequest(request.id))!);
    const startedMs = performance.now() - t2;
    expect(started).toMatchObject({ status: 'running', pending: 49_999, counts: { not_found: 1 } });

    console.info(
      `50k items: create ${Math.round(createMs)} ms, summary ${Math.round(summaryMs)} ms, ` +
        `summary once started ${Math.round(startedMs)} ms`,
    );
    // Typically ~1 s and ~0.5 s; the bounds leave room for a CPU shared with other test processes.
    expect(createMs).toBeLessThan(30_000);
    expect(startedMs).toBeLessThan(10_000);
  });
});

describe('table client construction', () => {
  it('builds an identity-based client from the table service URI', () => {
    const client = createTableClient(
      { kind: 'identity', tableServiceUri: 'https://acct.table.core.windows.net' },
      { tableName: 'mfaresets', credential: { getToken: () => Promise.resolve(null) } },
    );
    expect(client.url).toBe('https://acct.table.core.windows.net');
    expect(client.tableName).toBe('mfaresets');
  });
});
