// Item age end to end (issue 14), with a clock the test controls: an item not started within MAX_ITEM_AGE_HOURS of
// its request ends `expired` with no Graph call. Its own file: one stack per process (the credential caches tokens).
import { describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { newTicket, startStack, finalItem } from './support/stack.js';

describe('item age (MAX_ITEM_AGE_HOURS)', () => {
  it('an item not started within the age of its request ends expired with no Graph call; a younger one runs', async () => {
    let clockMs = Date.parse('2026-03-01T08:00:00Z');
    const aged = await startStack({
      mode: 'worker',
      env: { MAX_ITEM_AGE_HOURS: '2' },
      compose: { now: () => new Date(clockMs) },
    });
    try {
      const store = aged.app.store;
      const create = async (user: string) => {
        const ticket = newTicket();
        const created = await store.createRequest({
          requester: {
            tenantId: aged.emulator.env.AUTH_TENANT_ID,
            appId: DEMO_APPS.servicenow.appId,
            identityType: 'app',
          },
          ticket,
          reason: 'lost_device',
          options: { methods: 'all', keep: [], revokeSessions: true, dryRun: false },
          source: 'json',
          items: [{ userKey: user, ticket, reason: 'lost_device' }],
          idempotencyKey: `age:${ticket}`,
          fingerprint: ticket,
        });
        if (created.kind !== 'created') throw new Error(created.kind);
        return created.request;
      };
      const old = await create(DEMO_USERS.defaultVoiceMobile);
      clockMs += 2 * 3600_000 - 60_000; // one minute short of the age
      const young = await create(DEMO_USERS.defaultPush);
      clockMs += 60_000; // `old` is now exactly 2 h old, `young` one hour and 59 minutes younger
      await aged.emulator.clearRequests();
      for (const r of [old, young]) {
        await aged.app.queue.submit(r.id, 1);
        await store.markEnqueued(r.id);
      }
      const final = async (id: string) => finalItem(store, id, `item of ${id} final`);
      const expired = await final(old.id);
      expect(expired).toMatchObject({ outcome: 'expired', attempts: 0, methodsRemoved: [] });
      const ran = await final(young.id);
      expect(ran.outcome, JSON.stringify(ran.error)).toBe('reset');
      // Graph saw only the young request's user.
      const paths = (await aged.emulator.requests()).map((r) => decodeURIComponent(r.path).toLowerCase());
      expect(paths.some((p) => p.includes(DEMO_USERS.defaultPush))).toBe(true);
      expect(paths.some((p) => p.includes(DEMO_USERS.defaultVoiceMobile))).toBe(false);
      const audit = await store.listAudit(old.id);
      expect(audit.filter((a) => a.eventType === 'ItemExpired')).toHaveLength(1);
      expect((await store.getSummary((await store.getRequest(old.id))!)).counts.expired).toBe(1);
    } finally {
      await aged.stop();
    }
  });
});
