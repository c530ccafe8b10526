// Guardrails in the worker against a compromised caller (security.md API6, requirements 13 and 15):
// protected targets never receive a DELETE (listed users, active and PIM-eligible admins, members and owners of
// role-assignable groups, active or PIM-eligible, direct and nested members of a protected group; every path is in
// test/guard/guard-paths.test.ts), and the kill switch makes the worker do no Graph write at all while its messages
// stay queued, never poisoned, until it is turned off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BREAK_GLASS_UPN,
  DEMO_PRIVILEGED_USERS,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_USERS,
} from '../../dev/graph-emulator/index.js';
import { tenantWith } from '../reliability/support/fixture.js';
import { emptyQueues } from '../reliability/support/queue-probe.js';
import { startStack, type Stack } from '../reliability/support/stack.js';
import { waitFor } from '../reliability/support/wait-for.js';

const { fixture, users: all } = tenantWith('guard', 6);
const users = all.slice(0, 3); // reset beside the protected ones
const held = all.slice(3); // held back by the kill switch
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    fixture,
    hostEnv: { PROTECTED_USERS: DEMO_BREAK_GLASS_UPN, PROTECTED_GROUP_IDS: DEMO_PROTECTED_GROUP_ID },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const writes = (r: { method: string }) => r.method !== 'GET';

describe('protected targets', () => {
  const targets = {
    'listed in PROTECTED_USERS (break-glass)': DEMO_USERS.breakGlass,
    'Global Administrator (active role)': DEMO_USERS.globalAdmin,
    'Privileged Authentication Administrator': DEMO_USERS.privilegedAuthAdmin,
    'PIM-eligible Global Administrator': DEMO_USERS.pimGlobalAdmin,
    'PIM-eligible Privileged Role Administrator': DEMO_USERS.pimRoleAdmin,
    'role through a role-assignable group': DEMO_USERS.groupRoleHelpdesk,
    'direct member of a protected group': DEMO_USERS.directProtected,
    'nested member of a protected group': DEMO_USERS.nestedProtected,
    // The six that issue 12 found reset by the earlier guard.
    'member of a role-assignable group PIM-eligible for Global Administrator': DEMO_PRIVILEGED_USERS.eligibleViaGroup,
    'PIM for Groups: eligible member of a role-assignable group': DEMO_PRIVILEGED_USERS.pimEligibleMember,
    'PIM for Groups: eligible owner of a role-assignable group': DEMO_PRIVILEGED_USERS.pimEligibleOwner,
    'owner of a role-assignable group': DEMO_PRIVILEGED_USERS.roleAssignableGroupOwner,
    'AU-scoped role through a role-assignable group': DEMO_PRIVILEGED_USERS.groupAdministrativeUnit,
    'custom role through a role-assignable group': DEMO_PRIVILEGED_USERS.groupCustom,
  };

  it('never receive a DELETE (or any Graph write), alone or hidden in a bulk request', async () => {
    await stack.startHost();
    const ids: Record<string, string> = {};
    for (const upn of Object.values(targets)) ids[upn] = (await stack.emulator.user(upn)).id;

    const requests: string[] = [];
    for (const [n, upn] of Object.values(targets).entries()) {
      const alone = await stack.submit({
        user: n % 2 ? upn : ids[upn],
        ticket: `INC09${String(n).padStart(5, '0')}`,
        reason: 'lost_device',
      });
      expect(alone.status, alone.text).toBe(202);
      requests.push((alone.json as { id: string }).id);
    }
    // A flood that hides the protected users among ordinary ones.
    const bulk = await stack.submit({
      users: [...users.map((u) => u.upn), ...Object.values(targets)],
      ticket: 'INC0910000',
      reason: 'compromised',
    });
    expect(bulk.status, bulk.text).toBe(202);
    const bulkId = (bulk.json as { id: string }).id;

    for (const id of requests) {
      const status = await stack.waitCompleted(id);
      expect(status.counts).toMatchObject({ protected: 1 });
    }
    const bulkStatus = await stack.waitCompleted(bulkId);
    expect(bulkStatus.counts).toMatchObject({ protected: Object.keys(targets).length, reset: users.length });
    // Callers see `protected` and nothing of a protected user's methods (which admin holds only a phone, say).
    const items = (bulkStatus as { items: { outcome: string; methodsRemaining?: unknown }[] }).items;
    const shown = items.filter((i) => i.outcome === 'protected');
    expect(shown).toHaveLength(Object.keys(targets).length);
    expect(shown.filter((i) => i.methodsRemaining !== undefined)).toEqual([]);
    const csv = await stack.get(`/api/resets/${bulkId}?format=csv`);
    const protectedRows = csv.text.split('\r\n').filter((line) => line.includes(',protected,'));
    expect(protectedRows).toHaveLength(Object.keys(targets).length);
    for (const row of protectedRows) expect(row).not.toMatch(/password:|microsoftAuthenticator:|phone:/);

    const log = await stack.emulator.requests();
    for (const [what, upn] of Object.entries(targets)) {
      const touched = log.filter(
        (r) =>
          writes(r) &&
          (r.path.includes(ids[upn]) || r.path.toLowerCase().includes(encodeURIComponent(upn).toLowerCase())),
      );
      expect(touched, what).toEqual([]);
      const methods = (await stack.emulator.user(upn)).methods.length;
      expect(methods, what).toBeGreaterThan(0);
    }
    // The ordinary users in the same bulk request were reset: the worker was not simply idle.
    expect(log.filter((r) => r.method === 'DELETE').length).toBeGreaterThanOrEqual(users.length * 4);
    await stack.stopHost();
  });
});

describe('kill switch', () => {
  it('makes no Graph call and keeps the work queued (never poisoned) until it is turned off', async () => {
    await stack.emulator.clearRequests();
    const host = await stack.startHost({ KILL_SWITCH: 'true', HARDEN_KILL_SWITCH_DELAY_SECONDS: '1' });
    const again = await stack.submit({ users: held.map((u) => u.id), ticket: 'INC0920002', reason: 'lost_device' });
    expect(again.status).toBe(202);
    const id = (again.json as { id: string }).id;

    // More deliveries than maxDequeueCount (5) go by: each is deferred, none counts towards poison.
    const deferrals = () =>
      host.lines.filter(
        (l) => l.includes('item_deferred') && l.includes('kill_switch') && l.includes(id) && !l.includes('telemetry_'),
      );
    await waitFor(() => deferrals().length >= held.length * 6, {
      what: 'the killed worker to defer every item at least six times',
      timeoutMs: 45_000,
      intervalMs: 200,
    });
    expect(await stack.emulator.requests()).toEqual([]);
    const queues = await stack.queues();
    expect(queues['reset-items-poison']).toBe(0);
    expect(queues['reset-batches-poison']).toBe(0);
    expect(queues['reset-items']).toBeGreaterThanOrEqual(3);
    const summary = (await stack.get(`/api/resets/${id}`)).json as { pending: number };
    expect(summary.pending).toBe(3);
    for (const u of held) {
      const left = (await stack.emulator.user(u.id)).methods.filter((m) => u.methodIds.includes(m.id));
      expect(left).toHaveLength(4);
    }
    await stack.stopHost();

    // Switched off: the same messages are picked up and the resets happen.
    await stack.startHost({ KILL_SWITCH: 'false' });
    const status = await stack.waitCompleted(id, 60_000);
    expect(status.counts).toMatchObject({ reset: 3 });
    await waitFor(async () => (await stack.queues())['reset-items'] === 0, {
      what: 'the item queue to drain',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    expect(await stack.queues()).toMatchObject({ ...emptyQueues, 'reset-items': 0 });
  });
});
