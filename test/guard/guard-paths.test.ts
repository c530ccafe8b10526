// Issue 12 end to end (real Azurite, the Graph emulator's demo tenant, the local host in its own process): one user per
// Entra privilege path, each submitted alone and all of them hidden in one 200-user CSV bulk, is refused as
// `protected` with no Graph write of any kind, while the ordinary users of the same bulk are reset. Callers see
// `protected` without the reason; the audit row and the operator log keep it. A guard read that is refused ends the
// item `failed` with `guard_unavailable`, again without a write; the caller is not told which permission is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BREAK_GLASS_UPN,
  DEMO_ORDINARY_MANY_GROUPS,
  DEMO_PRIVILEGED_USERS as P,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_USERS,
} from '../../dev/graph-emulator/index.js';
import type { ProtectedReason } from '../../src/lib/reset/index.js';
import { tenantWith } from '../reliability/support/fixture.js';
import { startStack, type Stack } from '../reliability/support/stack.js';

/** Every privilege path, by the demo user that takes it, with the reason the audit row must give. */
const PATHS: Record<string, { upn: string; reason: ProtectedReason }> = {
  'on PROTECTED_USERS (break-glass)': { upn: DEMO_BREAK_GLASS_UPN, reason: 'protected_user' },
  'active built-in role, tenant scope': { upn: DEMO_USERS.globalAdmin, reason: 'directory_role' },
  'active role, administrative-unit scope': { upn: P.directActiveAdministrativeUnit, reason: 'directory_role' },
  'active role, application scope': { upn: P.directActiveAppScope, reason: 'directory_role' },
  'active custom role': { upn: P.directActiveCustom, reason: 'directory_role' },
  'PIM-eligible built-in role': { upn: DEMO_USERS.pimGlobalAdmin, reason: 'eligible_role' },
  'PIM-eligible role, administrative-unit scope': {
    upn: P.directEligibleAdministrativeUnit,
    reason: 'eligible_role',
  },
  'PIM-eligible custom role': { upn: P.directEligibleCustom, reason: 'eligible_role' },
  'member of a role-assignable group holding Global Administrator': {
    upn: P.groupActiveBuiltIn,
    reason: 'role_assignable_group_member',
  },
  'member of a role-assignable group PIM-eligible for Global Administrator': {
    upn: P.eligibleViaGroup,
    reason: 'role_assignable_group_member',
  },
  'member of a role-assignable group with an AU-scoped role': {
    upn: P.groupAdministrativeUnit,
    reason: 'role_assignable_group_member',
  },
  'member of a role-assignable group with a custom role': {
    upn: P.groupCustom,
    reason: 'role_assignable_group_member',
  },
  'member of a role-assignable group holding no role': {
    upn: P.roleAssignableGroupMember,
    reason: 'role_assignable_group_member',
  },
  'owner of a role-assignable group': { upn: P.roleAssignableGroupOwner, reason: 'role_assignable_group_owner' },
  'PIM for Groups: eligible member of a role-assignable group': {
    upn: P.pimEligibleMember,
    reason: 'role_assignable_group_eligible',
  },
  'PIM for Groups: eligible owner of a role-assignable group': {
    upn: P.pimEligibleOwner,
    reason: 'role_assignable_group_eligible',
  },
  'PIM for Groups: active member of a role-assignable group': {
    upn: P.pimActiveMember,
    reason: 'role_assignable_group_member',
  },
  'PIM for Groups: active owner of a role-assignable group': {
    upn: P.pimActiveOwner,
    reason: 'role_assignable_group_owner',
  },
  'member of a group that is PIM-eligible member of a role-assignable group': {
    upn: P.eligibleThroughGroup,
    reason: 'role_assignable_group_via_group',
  },
  'direct member of a protected group': { upn: DEMO_USERS.directProtected, reason: 'protected_group' },
  'nested member of a protected group': { upn: DEMO_USERS.nestedProtected, reason: 'protected_group' },
  'member three levels down in a protected group': { upn: P.protectedGroupDeep, reason: 'protected_group' },
  'PIM-eligible member of a group nested in a protected group': {
    upn: P.protectedGroupEligible,
    reason: 'protected_group_via_group',
  },
};
const privileged = Object.values(PATHS).map((p) => p.upn);
const { fixture, users: ordinary } = tenantWith('guard', 200 - privileged.length - 1);

let stack: Stack;
const ids: Record<string, string> = {};
const before: Record<string, { methods: number; sessions: string }> = {};

beforeAll(async () => {
  stack = await startStack({
    fixture,
    hostEnv: { PROTECTED_USERS: DEMO_BREAK_GLASS_UPN, PROTECTED_GROUP_IDS: DEMO_PROTECTED_GROUP_ID },
  });
  for (const upn of privileged) {
    const user = await stack.emulator.user(upn);
    ids[upn] = user.id;
    before[upn] = { methods: user.methods.length, sessions: user.signInSessionsValidFromDateTime };
  }
  await stack.startHost();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

interface ItemView {
  user: string;
  outcome?: string;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

async function items(requestId: string): Promise<ItemView[]> {
  return ((await stack.get(`/api/resets/${requestId}`)).json as { items: ItemView[] }).items;
}

async function submitted(body: string | object, contentType?: string): Promise<string> {
  const answer = await stack.submit(body, contentType ? { contentType } : {});
  expect(answer.status, answer.text).toBe(202);
  return (answer.json as { id: string }).id;
}

/** The worker's log lines: each invocation line of the host carries the work log's own JSON line as its message. */
function workLines(): Record<string, unknown>[] {
  return stack.host().lines.flatMap((l) => {
    try {
      const message = (JSON.parse(l) as { message?: unknown }).message;
      return typeof message === 'string' && message.startsWith('{')
        ? [JSON.parse(message) as Record<string, unknown>]
        : [];
    } catch {
      return [];
    }
  });
}

/** Graph writes of any kind whose path names the user (by object id or UPN). */
async function writesTo(upn: string) {
  const log = await stack.emulator.requests();
  const encoded = encodeURIComponent(upn).toLowerCase();
  return log.filter((r) => r.method !== 'GET' && (r.path.includes(ids[upn]) || r.path.toLowerCase().includes(encoded)));
}

describe('every privilege path is protected', () => {
  const singles: Record<string, string> = {};

  it('alone: each path as its own request', async () => {
    for (const [n, [what, { upn }]] of Object.entries(PATHS).entries()) {
      singles[what] = await submitted({
        user: n % 2 ? upn : ids[upn],
        ticket: `INC12${String(n).padStart(5, '0')}`,
        reason: 'lost_device',
      });
    }
    for (const [what, requestId] of Object.entries(singles)) {
      const status = await stack.waitCompleted(requestId);
      expect(status.counts, what).toMatchObject({ protected: 1 });
      const [item] = await items(requestId);
      expect(item.outcome, what).toBe('protected');
      expect(Object.keys(item), what).not.toContain('protectedReason');
      const audit = await stack.store.listAudit(requestId);
      expect(
        audit.filter((e) => e.outcome === 'protected').map((e) => e.protectedReason),
        what,
      ).toEqual([PATHS[what].reason]);
    }
  }, 120_000);

  it('hidden in a 200-user CSV bulk: all refused, every ordinary user reset', async () => {
    const rows = [...ordinary.map((u) => u.upn), DEMO_ORDINARY_MANY_GROUPS, ...privileged];
    expect(rows).toHaveLength(200);
    // Interleave, so the privileged users sit among the others.
    rows.sort((a, b) => (a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1));
    const csv = ['user,ticket,reason', ...rows.map((u) => `${u},INC1200999,compromised`)].join('\r\n');
    const requestId = await submitted(csv, 'text/csv');
    const status = await stack.waitCompleted(requestId, 120_000);
    expect(status.counts).toMatchObject({ protected: privileged.length, reset: 200 - privileged.length });

    const view = await items(requestId);
    const outcomes = new Map(view.map((i) => [i.user, i.outcome]));
    for (const [what, { upn }] of Object.entries(PATHS)) expect(outcomes.get(upn), what).toBe('protected');
    expect(view.some((i) => 'protectedReason' in i)).toBe(false);
    const exported = await stack.get(`/api/resets/${requestId}?format=csv`);
    expect(exported.status).toBe(200);
    expect(exported.text.split(/\r?\n/)[0]).not.toMatch(/protectedReason/);
    for (const reason of new Set(Object.values(PATHS).map((p) => p.reason))) {
      expect(exported.text).not.toContain(reason);
    }
    // The ordinary users really were reset (their four methods are gone).
    for (const u of ordinary.slice(0, 10)) {
      const left = (await stack.emulator.user(u.id)).methods.filter((m) => u.methodIds.includes(m.id));
      expect(left, u.upn).toEqual([]);
    }
  }, 180_000);

  it('no privileged user received a Graph write of any kind; methods and sessions are as they were', async () => {
    for (const [what, { upn }] of Object.entries(PATHS)) {
      expect(await writesTo(upn), what).toEqual([]);
      const now = await stack.emulator.user(upn);
      expect(now.methods.length, what).toBe(before[upn].methods);
      expect(now.signInSessionsValidFromDateTime, what).toBe(before[upn].sessions);
    }
  });

  it('the operator log names the reason', () => {
    const completed = workLines().filter((m) => m.event === 'item_completed' && m.outcome === 'protected');
    expect(completed).toHaveLength(privileged.length * 2);
    const reasons = new Set(Object.values(PATHS).map((p) => p.reason));
    expect(completed.filter((m) => !reasons.has(m.protectedReason as ProtectedReason))).toEqual([]);
  });
});

describe('a guard read that is refused', () => {
  it('ends the item failed with guard_unavailable, and nothing is written', async () => {
    const target = ordinary[0];
    await stack.emulator.loadTenant(fixture);
    await stack.emulator.setFaults({
      seed: 12,
      path: '/eligibilityScheduleInstances',
      methods: ['GET'],
      sequence: [403],
    });
    await stack.emulator.clearRequests();
    const requestId = await submitted({ user: target.upn, ticket: 'INC1201000', reason: 'lost_device' });
    const status = await stack.waitCompleted(requestId);
    expect(status.counts).toMatchObject({ failed: 1 });
    const [item] = await items(requestId);
    expect(item.error?.code).toBe('guard_unavailable');
    // The caller is told the check could not be completed; the permission the worker lacks is for the operator.
    expect(item.error?.message).toMatch(/^The protected-target check could not be completed, so nothing was changed/);
    expect(JSON.stringify(item)).not.toMatch(/PrivilegedEligibilitySchedule|worker's identity/);
    const failedRow = (await stack.store.listAudit(requestId)).find((e) => e.eventType === 'ResetFailed');
    expect(failedRow?.error?.message).toMatch(/lacks PrivilegedEligibilitySchedule\.Read\.AzureADGroup/);
    const logged = workLines().find((m) => m.event === 'item_completed' && m.requestId === requestId);
    expect(logged?.errorMessage).toMatch(/lacks PrivilegedEligibilitySchedule\.Read\.AzureADGroup/);
    expect((await stack.emulator.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
    const left = (await stack.emulator.user(target.id)).methods.filter((m) => target.methodIds.includes(m.id));
    expect(left).toHaveLength(4);
    await stack.emulator.setFaults(null);
  });
});
