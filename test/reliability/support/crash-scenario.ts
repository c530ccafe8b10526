// REL-01/02/11: the host process is killed with SIGKILL in the middle of a user's reset, then started again on the
// same storage. The item must complete: no method left, the default method deleted last, exactly one completion
// audit row, and nothing left on the queue or the poison queue. Its rows are true across the crash: the progress saved
// before it never names more than Graph's 204s, and the completion row names exactly the DELETEs the emulator answered
// 204 for the user, both attempts together.
//
// The moment is chosen from outside the process: the emulator slows one call down (a latency fault restricted to
// one path and method), the test watches the emulator's request log and the host's log lines, and kills the process
// while that call is in flight. A call already sent still takes effect at the emulator, as it would at Graph.
// One crash point per test file (crash-*.test.ts) keeps each file well under a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../../../dev/graph-emulator/index.js';
import { expectCompleteAuditChains } from '../../audit/support/audit-chains.js';
import { deletedIds, idsOf } from '../../support/graph-truth.js';
import { tenantWith, type ScenarioUser } from './fixture.js';
import { startStack, type Stack } from './stack.js';
import { waitFor } from './wait-for.js';

export interface CrashPoint {
  readonly name: string;
  /** Slows one call down so the kill lands while it is in flight. */
  readonly fault: (user: ScenarioUser) => { path: string; methods: string[]; latencyMs: { min: number; max: number } };
  /** True when the host should be killed now. */
  readonly killWhen: (deletes: readonly LoggedRequest[], hostLines: readonly string[]) => boolean;
  /** DELETEs answered before the kill. */
  readonly deletesBeforeKill: number;
  /**
   * Removals the item has recorded (after each batch of deletes) at least, by the kill; at most it records what
   * Graph answered. The record of the last batch may be in flight when the host is killed.
   */
  readonly savedAtLeast: number;
}

const answered = (deletes: readonly LoggedRequest[]): LoggedRequest[] =>
  deletes.filter((d) => d.status >= 200 && d.status < 300);
const slow = { min: 3000, max: 3000 };

export const crashPoints = {
  beforeFirstDelete: {
    name: 'before the first DELETE (while the methods are being listed)',
    fault: (u) => ({ path: `/users/${u.id}/authentication/methods$`, methods: ['GET'], latencyMs: slow }),
    killWhen: (_d, lines) => lines.some((l) => l.includes('item_claimed')),
    deletesBeforeKill: 0,
    savedAtLeast: 0,
  },
  afterSecondDelete: {
    name: 'after the 2nd of 4 DELETEs (the 3rd in flight)',
    fault: () => ({ path: '/windowsHelloForBusinessMethods/', methods: ['DELETE'], latencyMs: slow }),
    killWhen: (deletes) => answered(deletes).length >= 2,
    deletesBeforeKill: 2,
    // The batch of three is not over: nothing recorded yet (the next attempt's listing shows the two gone).
    savedAtLeast: 0,
  },
  afterLastDelete: {
    name: 'after the last DELETE, before the outcome is saved (while revoking sessions)',
    fault: (u) => ({ path: `/users/${u.id}/revokeSignInSessions`, methods: ['POST'], latencyMs: slow }),
    killWhen: (deletes) => answered(deletes).length >= 4,
    deletesBeforeKill: 4,
    // The first batch (three) was recorded before the default's DELETE was sent.
    savedAtLeast: 3,
  },
} satisfies Record<string, CrashPoint>;

/** Registers the test for one crash point (call at the top level of a test file). */
export function crashScenario(point: CrashPoint): void {
  const { fixture, users } = tenantWith('crash', 1);
  const user = users[0];
  let stack: Stack;

  beforeAll(async () => {
    // A killed host's messages come back after 3 s and its item lease ends after 2 s: no 10-minute wait.
    stack = await startStack({
      fixture,
      hostEnv: { HARDEN_RECEIVE_VISIBILITY_SECONDS: '3', HARDEN_LEASE_SECONDS: '2' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('kill -9 of the host in the middle of a reset', () => {
    it(`completes the item after a crash ${point.name}`, async () => {
      await stack.emulator.setFaults({ seed: 1, ...point.fault(user) });
      const host = await stack.startHost();

      const submitted = await stack.submit({ user: user.id, ticket: 'INC0100001', reason: 'lost_device' });
      expect(submitted.status).toBe(202);
      const requestId = (submitted.json as { id: string }).id;

      const userDeletes = async (): Promise<LoggedRequest[]> =>
        (await stack.emulator.requests({ method: 'DELETE' })).filter((r) => r.path.includes(`/users/${user.id}/`));
      await waitFor(async () => point.killWhen(await userDeletes(), host.lines), {
        what: `crash point "${point.name}"`,
        timeoutMs: 30_000,
        intervalMs: 10,
      });
      await stack.killHost();
      expect(answered(await userDeletes())).toHaveLength(point.deletesBeforeKill);
      const crashed = await stack.store.getItem(requestId, 0);
      expect(crashed?.status).not.toBe('final');
      const deletedBeforeKill = deletedIds(await stack.emulator.requests(), user.id);
      expect(crashed?.methodsRemoved.length).toBeGreaterThanOrEqual(point.savedAtLeast);
      expect(deletedBeforeKill).toEqual(expect.arrayContaining(idsOf(crashed?.methodsRemoved ?? [])));

      // Restart on the same storage: the message reappears and the item completes.
      await stack.emulator.setFaults(null);
      await stack.startHost();
      const status = await stack.waitCompleted(requestId, 40_000);
      expect(status.counts).toMatchObject({ reset: 1 });

      // None of the four methods remain.
      const left = (await stack.emulator.user(user.id)).methods.map((m) => m.id);
      for (const id of user.methodIds) expect(left).not.toContain(id);

      // The default method went last: its successful DELETE follows every other successful one.
      const deletes = answered(await userDeletes());
      const last = deletes.filter((d) => d.path.includes(user.defaultMethodId));
      const others = deletes.filter((d) => !d.path.includes(user.defaultMethodId));
      expect(last).toHaveLength(1);
      expect(others).toHaveLength(3);
      for (const d of others) expect(d.seq).toBeLessThan(last[0].seq);

      // Exactly one completion audit row; the stored item lists every method as removed.
      const audit = await stack.store.listAudit(requestId);
      const completed = audit.filter((e) => e.eventType === 'ResetCompleted');
      expect(completed).toHaveLength(1);
      const final = await stack.store.getItem(requestId, 0);
      expect(final?.outcome).toBe('reset');
      expect(new Set(final?.methodsRemoved.map((m) => m.id))).toEqual(new Set(user.methodIds));
      const deleted = deletedIds(await stack.emulator.requests(), user.id);
      expect(idsOf(final?.methodsRemoved ?? [])).toEqual(deleted);
      expect(idsOf(completed[0].methodsRemoved ?? [])).toEqual(deleted);
      expect(idsOf(completed[0].methodsRemaining ?? [])).toEqual(left.map((id) => id.toLowerCase()).sort());

      // The queue and the poison queue are empty (leased or deferred copies included).
      await stack.waitQueuesEmpty(20_000);

      // The audit record holds every table row in an unbroken chain (rows the kill left unshipped after a reconcile).
      await expectCompleteAuditChains(stack.azurite.connectionString, `crash ${point.name}`);
    });
  });
}
