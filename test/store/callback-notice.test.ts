// The store notices when a request with a completion callback becomes final (the chunk counters), whoever ends its
// last item, and hands each delivery attempt to one sender at a time. Real Azure Tables (Azurite).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResetOptions, type Requester } from '../../src/lib/domain/index.js';
import { createTableStore, type NewRequest, type TableStore } from '../../src/lib/store/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

const requester: Requester = { tenantId: 't1', appId: 'app-a', objectId: 'sp-a', identityType: 'app' };
let azurite: RunningAzurite;
let store: TableStore;
const noticed: string[] = [];

function draft(users: number, callback = true): NewRequest {
  const ticket = 'INC0012345';
  return {
    requester,
    ticket,
    reason: 'lost_device',
    options: defaultResetOptions,
    source: 'csv',
    items: Array.from({ length: users }, (_, i) => ({ userKey: `u${i}@contoso.com`, ticket, reason: 'lost_device' })),
    idempotencyKey: randomUUID(),
    fingerprint: 'fp',
    ...(callback
      ? {
          callback: {
            host: 'prod-1.westeurope.logic.azure.com',
            sealedUrl: 'v1.sealed',
            deliveryId: randomUUID(),
            statusBase: 'https://app.example/api/resets/',
          },
        }
      : {}),
  };
}

async function created(d: NewRequest): Promise<string> {
  const r = await store.createRequest(d);
  if (r.kind !== 'created') throw new Error(r.kind);
  return r.request.id;
}

const timesNoticed = (id: string): number => noticed.filter((n) => n === id).length;

beforeAll(async () => {
  azurite = await startTestAzurite();
  store = createTableStore(
    { storage: { kind: 'connectionString', connectionString: azurite.connectionString } },
    {
      onRequestFinal: (requestId) => {
        noticed.push(requestId);
        return Promise.resolve();
      },
    },
  );
});
afterAll(async () => {
  await azurite?.stop();
});

describe('noticing that a request with a callback is final', () => {
  it('over three chunks, ended one item at a time in any order: once, with the last item', async () => {
    const id = await created(draft(230));
    const order = Array.from({ length: 230 }, (_, i) => i).sort(() => Math.random() - 0.5);
    for (const [n, index] of order.entries()) {
      const ended = await store.endUnstarted(id, index, 'expired');
      expect(ended.changed).toBe(true);
      expect(timesNoticed(id), `after ${n + 1} of 230 items`).toBe(n === 229 ? 1 : 0);
    }
  });

  it('when a cancel ends every chunk at once: at least once (at-least-once delivery absorbs a second notice)', async () => {
    const id = await created(draft(250));
    const cancelled = await store.cancelRequest(id, requester);
    expect(cancelled?.cancelled).toBe(250);
    expect(timesNoticed(id)).toBeGreaterThanOrEqual(1);
    // Items that end at the same moment may each see the request complete: at most the items in flight together
    // (3 chunks × 4 items); the delivery's attempt claim lets one of the messages call.
    expect(timesNoticed(id)).toBeLessThanOrEqual(12);
  });

  it('never for a request without a callback', async () => {
    const id = await created(draft(3, false));
    for (const index of [0, 1, 2]) await store.endUnstarted(id, index, 'expired');
    expect(timesNoticed(id)).toBe(0);
    expect(await store.noticeIfFinal(id)).toBe(false);
  });

  it('again on request (a redelivered final item) only while the callback was never tried', async () => {
    const id = await created(draft(2));
    expect(await store.noticeIfFinal(id)).toBe(false); // not final yet
    for (const index of [0, 1]) await store.endUnstarted(id, index, 'expired');
    expect(await store.noticeIfFinal(id)).toBe(true);
    expect((await store.claimCallback(id, 0, 30)).claimed).toBe(true);
    expect(await store.noticeIfFinal(id)).toBe(false);
  });
});

describe('delivery attempts', () => {
  it('hands attempt n to one sender, refuses stale and held attempts, and ends with the recorded outcome', async () => {
    const id = await created(draft(1));
    const first = await store.claimCallback(id, 0, 30);
    expect(first).toMatchObject({ claimed: true, request: { callback: { attempts: 1, status: 'pending' } } });
    // A second copy of the same message, and the next attempt's message come early: the attempt is held.
    expect(await store.claimCallback(id, 0, 30)).toMatchObject({ claimed: false, reason: 'busy' });
    expect(await store.claimCallback(id, 1, 30)).toMatchObject({ claimed: false, reason: 'busy' });
    await store.recordCallback(id, { status: 'pending', statusCode: 503 });
    expect(await store.claimCallback(id, 0, 30)).toMatchObject({ claimed: false, reason: 'stale' });
    expect((await store.getRequest(id))?.callback).toMatchObject({ attempts: 1, lastStatusCode: 503 });
    expect((await store.getRequest(id))?.callback?.claimUntil).toBeUndefined();
    // The next attempt, with no answer this time: lastStatusCode goes away.
    expect((await store.claimCallback(id, 1, 30)).claimed).toBe(true);
    await store.recordCallback(id, { status: 'pending' });
    expect((await store.getRequest(id))?.callback?.lastStatusCode).toBeUndefined();
    expect((await store.claimCallback(id, 2, 30)).claimed).toBe(true);
    await store.recordCallback(id, { status: 'delivered', statusCode: 204 });
    expect((await store.getRequest(id))?.callback).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 204,
    });
    expect(await store.claimCallback(id, 3, 30)).toMatchObject({ claimed: false, reason: 'done' });
    expect(await store.claimCallback(randomUUID(), 0, 30)).toMatchObject({ claimed: false, reason: 'missing' });
  });

  it('takes over an attempt whose sender crashed before recording it, once its hold ran out', async () => {
    const id = await created(draft(1));
    // The sender claims attempt 0 and dies before recording (a hold of 0 s has run out at once).
    expect((await store.claimCallback(id, 0, 0)).claimed).toBe(true);
    // The host redelivers the same message: it is not stale, the attempt is made again.
    const again = await store.claimCallback(id, 0, 30);
    expect(again).toMatchObject({ claimed: true, request: { callback: { attempts: 1 } } });
    // While that one holds it, a third copy waits; once it is recorded, copies of attempt 0 are stale.
    expect(await store.claimCallback(id, 0, 30)).toMatchObject({ claimed: false, reason: 'busy' });
    await store.recordCallback(id, { status: 'pending', statusCode: 502 });
    expect(await store.claimCallback(id, 0, 30)).toMatchObject({ claimed: false, reason: 'stale' });
  });

  it('lets two copies racing for one attempt through once', async () => {
    const id = await created(draft(1));
    const claims = await Promise.all([store.claimCallback(id, 0, 30), store.claimCallback(id, 0, 30)]);
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
  });
});
