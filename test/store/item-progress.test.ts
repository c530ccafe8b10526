// What an item's attempts removed accumulates on the item (Azurite): saved by the lease holder only, kept by a release
// and across an expired lease, merged into the final result and its audit row, named by the poison row, and `[]` on
// the row of an item that never started.
import { storeTestRequest } from '../support/stored-request.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodRef, ResetResult } from '../../src/lib/domain/index.js';
import { mergeProgress } from '../../src/lib/domain/index.js';
import { createTableStore, type TableStore } from '../../src/lib/store/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

const password: MethodRef = { type: 'password', id: 'pw' };
const phone: MethodRef = { type: 'phone', id: 'p1' };
const fido: MethodRef = { type: 'fido2', id: 'F1' };
const app: MethodRef = { type: 'microsoftAuthenticator', id: 'a1' };

let azurite: RunningAzurite;
let store: TableStore;
let clockMs = Date.parse('2026-02-01T10:00:00Z');

beforeAll(async () => {
  azurite = await startTestAzurite();
  store = createTableStore(
    { storage: { kind: 'connectionString', connectionString: azurite.connectionString } },
    { now: () => new Date(clockMs) },
  );
});
afterAll(async () => {
  await azurite?.stop();
});

const request = (users: number): Promise<string> => storeTestRequest(store, users);

function result(overrides: Partial<ResetResult>): ResetResult {
  const at = new Date(clockMs).toISOString();
  return {
    outcome: 'reset',
    userId: '0b7e1a2c-1111-2222-3333-444455556666',
    methodsBefore: [],
    planned: [],
    methodsRemoved: [],
    methodsRemaining: [password],
    unknownTypes: [],
    sessionsRevoked: true,
    graphRequestIds: [],
    startedAt: at,
    finishedAt: at,
    ...overrides,
  };
}

const ids = (refs: readonly MethodRef[] | undefined): string[] => (refs ?? []).map((m) => m.id).sort();

describe('removal progress on the item', () => {
  it('accumulates across a deferral: saved, kept by the release, merged into the final row once each', async () => {
    const id = await request(1);
    await store.claimItem(id, 0, { owner: 'w1', leaseSeconds: 60 });
    await store.saveSnapshot(id, 0, 'w1', [phone, fido, app]);
    const first = { methodsRemoved: [phone], methodsRemaining: [password, fido, app] };
    // Only the lease holder writes.
    expect(await store.saveProgress(id, 0, 'w2', first)).toMatchObject({ changed: false, reason: 'lost_lease' });
    expect(await store.saveProgress(id, 0, 'w1', first)).toMatchObject({
      changed: true,
      item: { status: 'running', methodsRemoved: [phone] },
    });
    // Graph asks for a wait after one more delete: the release keeps both.
    const released = await store.releaseItem(id, 0, 'w1', 'graph_throttled', undefined, {
      methodsRemoved: [phone, fido],
      methodsRemaining: [password, app],
    });
    expect(released).toMatchObject({ changed: true, item: { status: 'queued' } });
    expect(ids((await store.getItem(id, 0))?.methodsRemoved)).toEqual(['F1', 'p1']);

    // The next attempt removes the rest; its result names one earlier removal again, in another case.
    await store.claimItem(id, 0, { owner: 'w2', leaseSeconds: 60 });
    const done = await store.completeItem(
      id,
      0,
      'w2',
      result({ methodsRemoved: [{ type: 'fido2', id: 'f1' }, app], methodsRemaining: [password] }),
    );
    expect(done.changed).toBe(true);
    const final = await store.getItem(id, 0);
    expect(ids(final?.methodsRemoved)).toEqual(['F1', 'a1', 'p1']);
    expect(final?.methodsRemaining).toEqual([password]);

    const audit = await store.listAudit(id);
    expect(audit.map((a) => a.eventType)).toEqual([
      'RequestReceived',
      'ExecutionStarted',
      'SnapshotSaved',
      'ProgressSaved',
      'ExecutionDeferred',
      'ExecutionStarted',
      'ResetCompleted',
    ]);
    expect(ids(audit.find((a) => a.eventType === 'ProgressSaved')?.methodsRemoved)).toEqual(['p1']);
    expect(ids(audit.find((a) => a.eventType === 'ExecutionDeferred')?.methodsRemoved)).toEqual(['F1', 'p1']);
    const completed = audit.find((a) => a.eventType === 'ResetCompleted');
    expect(ids(completed?.methodsRemoved)).toEqual(['F1', 'a1', 'p1']);
    expect(completed?.methodsRemaining).toEqual([password]);
  });

  it('keeps what a crashed attempt saved: the next owner (after the lease expired) completes with it', async () => {
    const id = await request(1);
    await store.claimItem(id, 0, { owner: 'crashed', leaseSeconds: 30 });
    await store.saveSnapshot(id, 0, 'crashed', [phone, fido]);
    await store.saveProgress(id, 0, 'crashed', { methodsRemoved: [phone], methodsRemaining: [password, fido] });
    clockMs += 31_000;
    const claim = await store.claimItem(id, 0, { owner: 'next', leaseSeconds: 30 });
    expect(claim).toMatchObject({ claimed: true, item: { attempts: 2, methodsRemoved: [phone] } });
    // The crashed owner can no longer write.
    expect(await store.saveProgress(id, 0, 'crashed', { methodsRemoved: [fido], methodsRemaining: [] })).toMatchObject({
      changed: false,
      reason: 'lost_lease',
    });
    // Even a result that does not repeat the earlier removal (a run that failed before listing) keeps it.
    await store.completeItem(
      id,
      0,
      'next',
      result({ outcome: 'failed', error: { code: 'graph_error', message: 'x' }, methodsRemaining: [password, fido] }),
    );
    const final = await store.getItem(id, 0);
    expect(final).toMatchObject({ outcome: 'failed', methodsRemoved: [phone], methodsRemaining: [password, fido] });
    const failed = (await store.listAudit(id)).find((a) => a.eventType === 'ResetFailed');
    expect(failed).toMatchObject({ methodsRemoved: [phone], methodsRemaining: [password, fido] });
  });

  it('names what was removed in the poison row, and [] in the row of an item that never started', async () => {
    const id = await request(2);
    await store.claimItem(id, 0, { owner: 'w', leaseSeconds: 30 });
    await store.saveSnapshot(id, 0, 'w', [phone, fido]);
    await store.saveProgress(id, 0, 'w', { methodsRemoved: [fido], methodsRemaining: [password, phone] });
    await store.failItem(id, 0, { code: 'poison_message', message: 'gave up' });
    await store.endUnstarted?.(id, 1, 'cancelled');

    const audit = await store.listAudit(id);
    expect(audit.find((a) => a.eventType === 'PoisonQuarantined')).toMatchObject({
      item: 0,
      methodsRemoved: [fido],
      methodsRemaining: [password, phone],
    });
    expect(audit.find((a) => a.eventType === 'ItemCancelled')).toMatchObject({ item: 1, methodsRemoved: [] });
    expect((await store.getItem(id, 0))?.methodsRemoved).toEqual([fido]);
  });
});

describe('mergeProgress', () => {
  it('lists each method once, and a method the latest listing still shows is not removed', () => {
    const merged = mergeProgress(
      { methodsRemoved: [phone, fido], methodsRemaining: [password, app] },
      { methodsRemoved: [{ type: 'fido2', id: 'f1' }, app], methodsRemaining: [password, phone] },
    );
    expect(merged).toEqual({ methodsRemoved: [fido, app], methodsRemaining: [password, phone] });
  });
});
