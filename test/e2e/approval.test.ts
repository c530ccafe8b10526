// Four-eyes approval end to end (issue 14), through the harness's HTTP server, Azurite and the Graph emulator, with
// two distinct callers (the Logic App submits, the approver app decides) and a clock the test moves for the lapse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, getStatus, postResets } from '../../dev/stack/api-client.js';
import { expireLapsedApprovals, type WorkLog } from '../../src/lib/worker/index.js';
import { newTicket, startStack, until, type TestStack } from './support/stack.js';

let stack: TestStack;
let offsetMs = 0;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({
    env: { APPROVAL_MIN_USERS: '3', APPROVAL_TTL_HOURS: '2' },
    compose: { now: () => new Date(Date.now() + offsetMs) },
  });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'approver', 'reader'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

const statusUrl = (id: string) => new URL(`/api/resets/${id}`, stack.url).toString();
const decide = (id: string, decision: 'approve' | 'reject', token: string, body: object = {}) =>
  postResets(stack.url, token, body, { path: `/api/resets/${id}/${decision}` });
const writesFor = async (users: readonly string[]) => {
  const ids = new Set(await Promise.all(users.map(async (u) => (await stack.emulator.user(u)).id)));
  return (await stack.emulator.requests()).filter(
    (r) => r.method !== 'GET' && [...ids].some((id) => r.path.includes(id)),
  ).length;
};
const submitWaiting = async (users: readonly string[]) => {
  const answer = await postResets(stack.url, tokens.logicApp, { users, ticket: newTicket(), reason: 'lost_device' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  expect(answer.body).toMatchObject({ status: 'awaiting_approval', approval: { state: 'pending' } });
  return answer.body.id;
};
const hostSaid = (event: string, times: number): boolean =>
  stack.logLines().filter((line) => line.includes(`\\"event\\":\\"${event}\\"`)).length >= times;
const silentLog: WorkLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('approval', () => {
  it('holds a large request until another identity approves it; then every user is reset', async () => {
    const users = [DEMO_USERS.defaultPush, DEMO_USERS.defaultSms, DEMO_USERS.defaultVoiceMobile];
    const id = await submitWaiting(users);

    // Waiting: 202 with Location for pollers, nothing on the queue's way, no Graph call for these users.
    const waiting = await getStatus(statusUrl(id), tokens.logicApp);
    expect(waiting.status).toBe(202);
    expect(waiting.headers.get('location')).toBe(statusUrl(id));
    expect(waiting.body).toMatchObject({ status: 'awaiting_approval', pending: 3 });
    expect((await stack.app.store.getRequest(id))?.phase).toBe('awaiting_approval');

    // The submitter cannot approve its own request, even holding the role; a reader has no say at all.
    const selfToken = await stack.emulator.mintToken({
      appId: DEMO_APPS.logicApp.appId,
      resource: stack.emulator.env.AUTH_AUDIENCE,
      roles: ['Resets.Approve'],
    });
    const self = await decide(id, 'approve', selfToken);
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ type: 'urn:mfa-reset:problem:self-approval' });
    expect((await decide(id, 'approve', tokens.reader)).status).toBe(403);
    expect(await writesFor(users)).toBe(0);

    // A message for it that did not come from an approval (forged, or written around the API) runs nothing.
    await stack.app.queue.submit(id, users.length);
    await until(
      () => stack.harness.listeners.every((l) => l.inFlight === 0) && hostSaid('item_not_approved', users.length),
      'the worker to drop the unapproved messages',
    );
    expect(await writesFor(users)).toBe(0);
    expect((await stack.app.store.getItem(id, 0))?.status ?? 'queued').toBe('queued');

    // The approver reads it (any request), then approves: the work is queued and runs.
    expect((await getStatus(statusUrl(id), tokens.approver)).status).toBe(202);
    const approved = await decide(id, 'approve', tokens.approver, { comment: 'CHG0042 checked with the user' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    // Queued, or already running: the worker may claim the first user before this answer is composed.
    expect(approved.body).toMatchObject({ approval: { state: 'approved' } });
    expect(['queued', 'running']).toContain(approved.body.status);
    const done = await until(async () => {
      const s = await getStatus(statusUrl(id), tokens.logicApp);
      return s.status === 200 ? s.body : undefined;
    }, 'the approved request to complete');
    expect(done.counts).toMatchObject({ reset: 3 });
    expect((done as unknown as { approval: unknown }).approval).toMatchObject({
      state: 'approved',
      askedBy: { appId: DEMO_APPS.logicApp.appId },
      decidedBy: { appId: DEMO_APPS.approver.appId },
      comment: 'CHG0042 checked with the user',
      decidedAt: expect.any(String) as string,
    });

    // Repeating one's own decision is harmless; the audit names who asked and who decided.
    expect((await decide(id, 'approve', tokens.approver)).status).toBe(200);
    const audit = await stack.app.store.listAudit(id);
    const types = audit.map((e) => e.eventType);
    expect(types.indexOf('ApprovalRequested')).toBeLessThan(types.indexOf('RequestApproved'));
    expect(audit.find((e) => e.eventType === 'RequestApproved')?.actor?.appId).toBe(DEMO_APPS.approver.appId);
    expect(types.filter((t) => t === 'RequestApproved')).toHaveLength(1);
  });

  it('reject ends every item rejected with no Graph call; a different decision afterwards is 409', async () => {
    const users = [DEMO_USERS.defaultOath, DEMO_USERS.defaultVoiceOffice, DEMO_USERS.everything];
    const id = await submitWaiting(users);
    const noComment = await decide(id, 'reject', tokens.approver);
    expect(noComment.status).toBe(400);
    expect(JSON.stringify(noComment.body)).toContain('comment');
    // The comment goes into the audit, which holds no contact details: refused, never echoed.
    const withAddress = await decide(id, 'reject', tokens.approver, { comment: 'per mail from boss@contoso.example' });
    expect(withAddress.status).toBe(400);
    expect(JSON.stringify(withAddress.body)).toMatch(/comment.*must not contain an e-mail address or a phone number/);
    expect(JSON.stringify(withAddress.body)).not.toContain('contoso.example');

    const rejected = await decide(id, 'reject', tokens.approver, { comment: 'no ticket behind it' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const final = await getStatus(statusUrl(id), tokens.logicApp);
    expect(final.status).toBe(200);
    expect(final.body.counts).toMatchObject({ rejected: 3, reset: 0 });
    expect(final.body.items.map((i) => i.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await writesFor(users)).toBe(0);

    const late = await decide(id, 'approve', tokens.approver);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ type: 'urn:mfa-reset:problem:approval-decided' });
  });

  it('a request cancelled while it waits is final at once (cancelled), and can no longer be approved', async () => {
    const users = [DEMO_USERS.plain, DEMO_USERS.passwordOnly, DEMO_USERS.passwordOnly2];
    const id = await submitWaiting(users);
    const cancel = await postResets(stack.url, tokens.logicApp, {}, { path: `/api/resets/${id}/cancel` });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const final = await getStatus(statusUrl(id), tokens.logicApp);
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({ status: 'completed', counts: { cancelled: 3 } });
    const late = await decide(id, 'approve', tokens.approver);
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toContain('cancelled');
  });

  it('does not wait for a dry run or a request under APPROVAL_MIN_USERS', async () => {
    const dry = await postResets(stack.url, tokens.logicApp, {
      users: [DEMO_USERS.passwordOnly, DEMO_USERS.passwordOnly2, DEMO_USERS.defaultPush],
      ticket: newTicket(),
      reason: 'other',
      options: { dryRun: true },
    });
    expect(dry.body.status).toBe('queued');
    const small = await postResets(stack.url, tokens.logicApp, {
      users: [DEMO_USERS.passwordOnly, DEMO_USERS.passwordOnly2],
      ticket: newTicket(),
      reason: 'other',
    });
    expect(small.body.status).toBe('queued');
    const approve = await decide(small.body.id, 'approve', tokens.approver);
    expect(approve.status).toBe(409);
    expect(approve.body).toMatchObject({ type: 'urn:mfa-reset:problem:approval-not-required' });
  });

  it('lapses after APPROVAL_TTL_HOURS: a late approval is 409 and the sweeper ends the rest, every item expired', async () => {
    const swept = await submitWaiting([DEMO_USERS.manyGroups, DEMO_USERS.disabled, DEMO_USERS.guest]);
    const late = await submitWaiting([DEMO_USERS.globalAdmin, DEMO_USERS.deadlock, DEMO_USERS.stuckDefault]);
    expect(await expireLapsedApprovals(stack.app.store, silentLog)).toBe(0);

    offsetMs += 2 * 3600_000; // the window (2 h) has ended
    // Too late to approve: the approval lapses there and then (409), whether or not the sweeper came by.
    const answer = await decide(late, 'approve', tokens.approver);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ type: 'urn:mfa-reset:problem:approval-expired' });
    expect((await getStatus(statusUrl(late), tokens.logicApp)).body.counts).toMatchObject({ expired: 3 });

    // The sweeper lets the other one lapse: every item expired, no Graph call.
    expect(await expireLapsedApprovals(stack.app.store, silentLog)).toBe(1);
    const sweptStatus = await getStatus(statusUrl(swept), tokens.logicApp);
    expect(sweptStatus.status).toBe(200);
    expect(sweptStatus.body.counts).toMatchObject({ expired: 3 });
    expect((sweptStatus.body as unknown as { approval: unknown }).approval).toMatchObject({ state: 'expired' });
    expect(await expireLapsedApprovals(stack.app.store, silentLog)).toBe(0);
    offsetMs = 0;
  });
});
