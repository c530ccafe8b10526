// Temporary Access Pass end to end (issue 18): Azurite, the Graph emulator (which serves and enforces the TAP
// policy) and the whole app. A pass is issued only after a verified reset, stored encrypted for the intake, shown
// once to its submitter (concurrent readers included), erased after its lifetime (a clock the test moves), refused
// by the tenant's policy without undoing the reset, never issued for protected users or dry runs, and for bulk
// requests read per user at …/items/{n}/tap by the submitter alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_BREAK_GLASS_UPN, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, getStatus, postResets } from '../../dev/stack/api-client.js';
import type { StoredItem } from '../../src/lib/store/index.js';
import { newTicket, startStack, until, type TestStack } from './support/stack.js';

interface TapAnswer {
  readonly status: string;
  readonly value?: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly revealed?: boolean;
  readonly revealedAt?: string;
  readonly expired?: boolean;
  readonly startDateTime?: string;
  readonly lifetimeMinutes?: number;
  readonly isUsableOnce?: boolean;
}
interface ItemAnswer {
  readonly outcome?: string;
  readonly methodsRemoved: readonly { type: string; id: string }[];
  readonly temporaryAccessPass?: TapAnswer;
}

let stack: TestStack;
let offsetMs = 0;
const tokens: Record<'servicenow' | 'logicApp' | 'operator', string> = { servicenow: '', logicApp: '', operator: '' };
const TAP_POST = /\/v1\.0\/users\/[^/]+\/authentication\/temporaryAccessPassMethods$/;

beforeAll(async () => {
  stack = await startStack({ compose: { now: () => new Date(Date.now() + offsetMs) } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['servicenow', 'logicApp', 'operator'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const policy = (patch: Record<string, unknown>) =>
  stack.emulator.control('PUT', 'policies/temporaryAccessPass', patch).then((r) => {
    if (r.status !== 200) throw new Error(`policy: ${r.status} ${JSON.stringify(r.body)}`);
  });

/** Submits, and waits on the store (not on GET: the first GET of the submitter is the one that reveals). */
async function submitAndWait(
  body: Record<string, unknown>,
  token = tokens.servicenow,
): Promise<{ id: string; items: StoredItem[] }> {
  const accepted = await postResets(stack.url, token, { ticket: newTicket(), reason: 'lost_device', ...body });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const id = accepted.body.id;
  const count = accepted.body.items;
  const items = await until(
    async () => {
      const found = await Promise.all(Array.from({ length: count }, (_, i) => stack.app.store.getItem(id, i)));
      return found.every((i) => i?.status === 'final') ? (found as StoredItem[]) : undefined;
    },
    `request ${id} final`,
    60_000,
  );
  return { id, items };
}

const get = async (path: string, token = tokens.servicenow) => getStatus(`${stack.url}${path}`, token);
const tapOf = (body: unknown): TapAnswer => (body as { temporaryAccessPass: TapAnswer }).temporaryAccessPass;
const itemOf = (body: unknown, n = 0): ItemAnswer => (body as { items: ItemAnswer[] }).items[n];
const tapAsked = { temporaryAccessPass: { lifetimeMinutes: 60, isUsableOnce: true } };

describe('Temporary Access Pass', () => {
  it('is issued after the verified reset and shown once to the submitter; a later reset deletes it', async () => {
    await stack.emulator.clearRequests();
    const { id, items } = await submitAndWait({ user: DEMO_USERS.defaultPush, options: tapAsked });
    expect(items[0]).toMatchObject({
      outcome: 'reset',
      temporaryAccessPass: { status: 'issued', lifetimeMinutes: 60, isUsableOnce: true },
    });
    // Graph order: the pass is created after the last delete and after the verifying listing.
    const log = await stack.emulator.requests();
    const post = log.findIndex((r) => r.method === 'POST' && TAP_POST.test(r.path));
    const lastDelete = log.map((r) => r.method).lastIndexOf('DELETE');
    const lastList = log.map((r) => r.method === 'GET' && /\/authentication\/methods/.test(r.path)).lastIndexOf(true);
    expect(post).toBeGreaterThan(lastDelete);
    expect(post).toBeGreaterThan(lastList);
    expect(log.filter((r) => TAP_POST.test(r.path))).toHaveLength(1);
    const user = await stack.emulator.user(DEMO_USERS.defaultPush);
    const tapMethods = user.methods.filter(
      (m) => m['@odata.type'] === '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
    );
    expect(tapMethods).toHaveLength(1);

    const first = await get(`/api/resets/${id}`);
    expect(first.status).toBe(200);
    const shown = itemOf(first.body).temporaryAccessPass;
    expect(shown?.value).toMatch(/^\S{8}$/);
    expect(shown).toMatchObject({ status: 'issued', lifetimeMinutes: 60, isUsableOnce: true });
    // An operator reads any request, but never the pass.
    const byOperator = await get(`/api/resets/${id}`, tokens.operator);
    expect(JSON.stringify(byOperator.body)).not.toContain(shown!.value!);
    const second = await get(`/api/resets/${id}`);
    const again = itemOf(second.body).temporaryAccessPass;
    expect(again).toMatchObject({ status: 'issued', revealed: true });
    expect(again?.value).toBeUndefined();
    expect(Date.parse(again?.revealedAt ?? '')).not.toBeNaN();

    const audit = await stack.app.store.listAudit(id);
    const issued = audit.filter((a) => a.eventType === 'TapIssued');
    expect(issued).toHaveLength(1);
    expect(issued[0].tap).toMatchObject({ lifetimeMinutes: 60, isUsableOnce: true });
    expect(audit.filter((a) => a.eventType === 'TapRevealed')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(shown!.value!);
    const stored = await stack.app.store.getTap(id, 0);
    expect(stored).toMatchObject({ state: 'revealed' });
    expect(stored?.envelope).toBeUndefined();

    // The method-type table knows a TAP is deletable: the next reset removes it.
    const later = await submitAndWait({ user: DEMO_USERS.defaultPush, options: {} });
    expect(later.items[0].methodsRemoved.map((m) => m.id)).toContain(tapMethods[0].id);
  });

  it('two concurrent reads of a fresh pass reveal it once', async () => {
    const { id } = await submitAndWait({ user: DEMO_USERS.defaultSms, options: tapAsked });
    const reads = await Promise.all([get(`/api/resets/${id}`), get(`/api/resets/${id}`), get(`/api/resets/${id}`)]);
    const taps = reads.map((r) => itemOf(r.body).temporaryAccessPass);
    expect(taps.filter((t) => t?.value !== undefined)).toHaveLength(1);
    expect(taps.filter((t) => t?.revealed === true)).toHaveLength(2);
    expect((await stack.app.store.listAudit(id)).filter((a) => a.eventType === 'TapRevealed')).toHaveLength(1);
  });

  it('is erased unread once its lifetime ends: lazily on read, and by the sweeper', async () => {
    const lazy = await submitAndWait({ user: DEMO_USERS.defaultOath, options: tapAsked });
    const swept = await submitAndWait({ user: DEMO_USERS.defaultVoiceMobile, options: tapAsked });
    expect(await stack.app.store.eraseExpiredTaps()).toBe(0);
    offsetMs += 61 * 60_000;
    try {
      const read = itemOf((await get(`/api/resets/${lazy.id}`)).body).temporaryAccessPass;
      expect(read).toMatchObject({ status: 'issued', revealed: false, expired: true });
      expect(read?.value).toBeUndefined();
      expect(await stack.app.store.eraseExpiredTaps()).toBe(1);
      const row = await stack.app.store.getTap(swept.id, 0);
      expect(row).toMatchObject({ state: 'expired' });
      expect(row?.envelope).toBeUndefined();
      const after = itemOf((await get(`/api/resets/${swept.id}`)).body).temporaryAccessPass;
      expect(after).toMatchObject({ revealed: false, expired: true });
      expect(after?.value).toBeUndefined();
      expect((await stack.app.store.listAudit(swept.id)).filter((a) => a.eventType === 'TapErased')).toHaveLength(1);
    } finally {
      offsetMs -= 61 * 60_000;
    }
  });

  it('is refused by the tenant policy (disabled, lifetime out of its bounds), and the reset still counts', async () => {
    await stack.emulator.clearRequests();
    await policy({ state: 'disabled' });
    try {
      const { items } = await submitAndWait({ user: DEMO_USERS.defaultVoiceOffice, options: tapAsked });
      expect(items[0]).toMatchObject({
        outcome: 'reset',
        temporaryAccessPass: { status: 'not_issued', reason: 'tap_disabled' },
      });
    } finally {
      await policy({ state: 'enabled' });
    }
    await policy({ minimumLifetimeInMinutes: 120, maximumLifetimeInMinutes: 480 });
    try {
      const { id, items } = await submitAndWait({ user: DEMO_USERS.defaultVoiceAlternateMobile, options: tapAsked });
      expect(items[0].outcome).toBe('reset');
      expect(items[0].methodsRemoved.length).toBeGreaterThan(0);
      expect(items[0].temporaryAccessPass).toMatchObject({ status: 'not_issued', reason: 'tap_refused_by_policy' });
      const shown = itemOf((await get(`/api/resets/${id}`)).body).temporaryAccessPass;
      expect(shown).toMatchObject({ status: 'not_issued', reason: 'tap_refused_by_policy' });
      expect(shown?.detail).toMatch(/120 and 480/);
    } finally {
      await policy({ minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 });
    }
    // The policy was read each time; Graph was never asked for a pass it would refuse.
    const log = await stack.emulator.requests();
    expect(log.filter((r) => /temporaryAccessPass$/.test(r.path) && r.method === 'GET')).toHaveLength(2);
    expect(log.filter((r) => r.method === 'POST' && TAP_POST.test(r.path))).toEqual([]);
  });

  it('the emulator enforces the policy on the call itself (documented bounds, disabled, one-time only)', async () => {
    const token = await stack.emulator.mintToken({
      appId: DEMO_APPS.graphWorker.appId,
      roles: ['UserAuthenticationMethod.ReadWrite.All'],
    });
    const post = (body: unknown) =>
      fetch(
        `${stack.emulator.env.GRAPH_BASE_URL}/v1.0/users/${DEMO_USERS.plain}/authentication/temporaryAccessPassMethods`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
      );
    expect((await post({ lifetimeInMinutes: 5 })).status).toBe(400);
    expect((await post({ lifetimeInMinutes: 600 })).status).toBe(400); // over the policy's 480
    await policy({ isUsableOnce: true });
    expect((await post({ lifetimeInMinutes: 60, isUsableOnce: false })).status).toBe(400);
    await policy({ isUsableOnce: false, state: 'disabled' });
    expect((await post({})).status).toBe(400);
    await policy({ state: 'enabled' });
    const created = await post({ lifetimeInMinutes: 90 });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ lifetimeInMinutes: 90, isUsableOnce: false });
    // The policy read needs a policy permission, like Graph.
    const policyUrl = `${stack.emulator.env.GRAPH_BASE_URL}/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass`;
    expect((await fetch(policyUrl, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  it('is not issued for a protected user or a dry run, each with its reason', async () => {
    await stack.emulator.clearRequests();
    const guarded = await submitAndWait({ user: DEMO_BREAK_GLASS_UPN, options: tapAsked });
    expect(guarded.items[0]).toMatchObject({ outcome: 'protected' });
    const dry = await submitAndWait({ user: DEMO_USERS.everything, options: { ...tapAsked, dryRun: true } });
    expect(dry.items[0]).toMatchObject({ outcome: 'planned' });
    expect(itemOf((await get(`/api/resets/${guarded.id}`)).body).temporaryAccessPass).toEqual({
      status: 'not_issued',
      reason: 'protected',
    });
    expect(itemOf((await get(`/api/resets/${dry.id}`)).body).temporaryAccessPass).toEqual({
      status: 'not_issued',
      reason: 'dry_run',
    });
    const log = await stack.emulator.requests();
    expect(log.filter((r) => /temporaryAccessPass/.test(r.path))).toEqual([]);
  });

  it('bulk: never in the request view or the CSV; once per user at …/items/{n}/tap, and only for the submitter', async () => {
    const users = [DEMO_USERS.deadlock, DEMO_USERS.everything];
    const { id, items } = await submitAndWait({ users, options: tapAsked }, tokens.logicApp);
    expect(
      items.map((i) => i.temporaryAccessPass?.status),
      JSON.stringify(items.map((i) => [i.outcome, i.error, i.temporaryAccessPass])),
    ).toEqual(['issued', 'issued']);
    const view = await get(`/api/resets/${id}`, tokens.logicApp);
    const csv = await get(`/api/resets/${id}?format=csv`, tokens.logicApp);
    expect(itemOf(view.body, 0).temporaryAccessPass).toMatchObject({ status: 'issued', lifetimeMinutes: 60 });
    expect(JSON.stringify(view.body)).not.toContain('"value"');

    const others = [tokens.servicenow, tokens.operator];
    for (const other of others) expect((await get(`/api/resets/${id}/items/0/tap`, other)).status).toBe(404);
    const first = await get(`/api/resets/${id}/items/0/tap`, tokens.logicApp);
    expect(first.status).toBe(200);
    const value = tapOf(first.body).value;
    expect(value).toMatch(/^\S{8}$/);
    const second = await get(`/api/resets/${id}/items/0/tap`, tokens.logicApp);
    expect(tapOf(second.body)).toMatchObject({ revealed: true });
    expect(JSON.stringify(second.body)).not.toContain(value!);
    expect(JSON.stringify(csv.body)).not.toContain(value!);
    expect(JSON.stringify(view.body)).not.toContain(value!);
    expect((await get(`/api/resets/${id}/items/2/tap`, tokens.logicApp)).status).toBe(404);
    const other = await get(`/api/resets/${id}/items/1/tap`, tokens.logicApp);
    expect(tapOf(other.body).value).toMatch(/^\S{8}$/);
  });

  it('the intake validates the option: Graph bounds and unknown fields', async () => {
    const refused = await postResets(stack.url, tokens.servicenow, {
      user: DEMO_USERS.plain,
      ticket: newTicket(),
      reason: 'lost_device',
      options: { temporaryAccessPass: { lifetimeMinutes: 5, usableOnce: true } },
    });
    expect(refused.status).toBe(400);
    const fields = (refused.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['options.temporaryAccessPass.lifetimeMinutes', 'options.temporaryAccessPass.usableOnce']),
    );
  });
});
