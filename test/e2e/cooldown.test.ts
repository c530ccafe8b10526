// Per-target cooldown end to end (issue 14): a user reset within TARGET_COOLDOWN_HOURS is skipped on a new ticket
// (`skipped_recently_reset`, no Graph write), unless a second person approved the request (the audit says so); a dry
// run still plans; after the cooldown the user can be reset again. The clock is the test's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS, demoTenant } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, getStatus, postResets, type ResetStatusView } from '../../dev/stack/api-client.js';
import { newTicket, startStack, until, type TestStack } from './support/stack.js';

let stack: TestStack;
let offsetMs = 0;
const tokens: Record<string, string> = {};
const target = DEMO_USERS.defaultSms;

beforeAll(async () => {
  stack = await startStack({
    env: { TARGET_COOLDOWN_HOURS: '12', APPROVAL_MIN_USERS: '2' },
    compose: { now: () => new Date(Date.now() + offsetMs) },
  });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'servicenow', 'approver'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

/** The user registers again (the methods the demo tenant gave them). */
async function reRegister(upn: string): Promise<void> {
  const user = demoTenant().users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
  if (!user) throw new Error(`${upn} is not in the demo tenant`);
  await stack.emulator.putUser(user);
}

async function run(token: string, body: object): Promise<ResetStatusView> {
  const accepted = await postResets(stack.url, token, { ticket: newTicket(), reason: 'lost_device', ...body });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  if (accepted.body.status === 'awaiting_approval') {
    const approved = await postResets(
      stack.url,
      tokens.approver,
      { comment: 'the user called twice; verified' },
      {
        path: `/api/resets/${accepted.body.id}/approve`,
      },
    );
    expect(approved.status).toBe(200);
  }
  const url = new URL(`/api/resets/${accepted.body.id}`, stack.url).toString();
  return until(async () => {
    const s = await getStatus(url, token);
    return s.status === 200 ? s.body : undefined;
  }, `request ${accepted.body.id} to complete`);
}

const deletesFor = async (upn: string) => {
  const { id } = await stack.emulator.user(upn);
  return (await stack.emulator.requests()).filter((r) => r.method === 'DELETE' && r.path.includes(id)).length;
};

describe('per-target cooldown (TARGET_COOLDOWN_HOURS)', () => {
  it('skips a user reset moments ago under a new ticket, lets an approved request override it, and lets it go after 12 hours', async () => {
    const first = await run(tokens.logicApp, { user: target });
    expect(first.items[0]?.outcome).toBe('reset');
    await reRegister(target);
    await stack.emulator.clearRequests();

    // Another desk, another ticket, an hour later: skipped, nothing deleted, the new methods stay.
    offsetMs += 3600_000;
    const second = await run(tokens.servicenow, { user: target });
    expect(second.items[0]?.outcome).toBe('skipped_recently_reset');
    expect(second.items[0]?.methodsRemoved).toEqual([]);
    expect(await deletesFor(target)).toBe(0);
    expect((await stack.emulator.user(target)).methods.length).toBeGreaterThan(1);

    // A dry run still shows what a reset would do.
    const dry = await run(tokens.servicenow, { user: target, options: { dryRun: true } });
    expect(dry.items[0]?.outcome).toBe('planned');

    // An approved request overrides the cooldown on purpose, and its audit row says so.
    const approved = await run(tokens.logicApp, { users: [target, DEMO_USERS.passwordOnly] });
    const item = approved.items.find((i) => i.user === target.toLowerCase());
    expect(item?.outcome).toBe('reset');
    expect(await deletesFor(target)).toBeGreaterThan(0);
    const audit = await stack.app.store.listAudit(approved.id);
    expect(audit.find((e) => e.eventType === 'ResetCompleted' && e.note)?.note).toMatch(/cooldown overridden/);

    // Twelve hours after that reset, a new ticket resets the user again.
    await reRegister(target);
    offsetMs += 12 * 3600_000;
    const later = await run(tokens.servicenow, { user: target });
    expect(later.items[0]?.outcome).toBe('reset');
  });
});
