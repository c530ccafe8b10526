// The `mfa-reset` CLI end to end (issue 17): the built CLI as a child process (stdout a pipe, not a terminal) against
// one local stack (Azurite, the Graph emulator, the app in the dev harness), signed in with DefaultAzureCredential's
// environment credential against the emulator's Entra endpoints, as a service principal would be in CI.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlsOffSettings } from '../../dev/harness/suite-settings.js';
import {
  DEMO_APPS,
  DEMO_BREAK_GLASS_UPN,
  DEMO_DOMAIN,
  DEMO_USERS,
  demoTenant,
} from '../../dev/graph-emulator/index.js';
import { newTicket, startStack, until, type TestStack } from '../e2e/support/stack.js';
import { cliEnv, runCli, startCli, type CliRun } from './support/run-cli.js';

let stack: TestStack;
let dir: string;
type App = (typeof DEMO_APPS)[keyof typeof DEMO_APPS];

beforeAll(async () => {
  // Approval on for CSV uploads (every one that is not a dry run waits) and for 50 users or more.
  stack = await startStack({ env: { ...controlsOffSettings, APPROVAL_MIN_USERS: '50' } });
  dir = await mkdtemp(path.join(tmpdir(), 'mfa-reset-cli-'));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The CLI's environment signed in as this demo app (AZURE_* read by DefaultAzureCredential). */
const as = (app: App, extra: Record<string, string | undefined> = {}) => {
  const e = stack.emulator.env;
  return cliEnv({
    MFA_RESET_API: stack.url,
    MFA_RESET_AUDIENCE: e.AUTH_AUDIENCE,
    AZURE_TENANT_ID: e.AUTH_TENANT_ID,
    AZURE_CLIENT_ID: app.appId,
    AZURE_CLIENT_SECRET: app.clientSecret,
    AZURE_AUTHORITY_HOST: e.AUTHORITY_HOST,
    ...extra,
  });
};
const requestIdIn = (text: string): string | undefined => /Accepted request ([0-9a-f-]{36})/.exec(text)?.[1];
const csvFile = async (name: string, text: string): Promise<string> => {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
};
/** Ordinary users of the demo tenant (seeded, no role, no protected group), none of them used elsewhere here. */
const ordinaryUsers = (count: number, skip: number): string[] =>
  demoTenant()
    .users.filter((u) => /^[a-z]+\.[a-z]+\d*@/.test(u.userPrincipalName) && !u.roles && !u.eligibleRoles)
    .filter((u) => !Object.values(DEMO_USERS).includes(u.userPrincipalName as never))
    .slice(skip, skip + count)
    .map((u) => u.userPrincipalName);
const describeRun = (run: { code: number; stdout: string; stderr: string }): string =>
  `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

async function untilOutput(run: CliRun, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  try {
    return await until(() => pattern.exec(run.stdout() + run.stderr()) ?? undefined, what, 60_000);
  } catch (error) {
    // What the CLI had printed by the deadline, not when the wait began.
    throw new Error(`${String(error)}\n--- stdout\n${run.stdout()}\n--- stderr\n${run.stderr()}`);
  }
}

// Concurrent: each test has its own users and requests, and mostly waits on the service's polling interval.
describe.concurrent('mfa-reset against the local stack', () => {
  it('reset: one user, waits for the outcome, exit 0; export writes every user to a file', async () => {
    const run = await runCli(
      ['reset', DEMO_USERS.defaultPush, '--ticket', newTicket(), '--reason', 'lost_device'],
      as(DEMO_APPS.servicenow),
    );
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${DEMO_USERS.defaultPush} {2}reset {2}removed: .*microsoftAuthenticator`));
    expect(run.stdout).toMatch(/Request [0-9a-f-]{36}: completed, 1\/1 final: reset 1/);
    const id = requestIdIn(run.stdout) ?? '';

    const file = path.join(dir, 'results.csv');
    const exported = await runCli(['export', id, '-o', file], as(DEMO_APPS.servicenow));
    expect(exported.code, describeRun(exported)).toBe(0);
    expect(exported.stdout).toContain(`Wrote ${file}: 1 users, request completed.`);
    const csv = (await readFile(file, 'utf8')).split('\r\n');
    expect(csv[0]).toMatch(/^index,user,userId,ticket,status,outcome,methodsRemoved/);
    expect(csv[1]).toContain(`0,${DEMO_USERS.defaultPush},`);
    expect(csv[1]).toContain(',final,reset,');
  });

  it('reset: a protected user and one that does not exist end exit 1, each named with its outcome', async () => {
    const missing = `nobody.here@${DEMO_DOMAIN}`;
    const run = await runCli(
      ['reset', DEMO_BREAK_GLASS_UPN, missing, '--ticket', newTicket(), '--reason', 'other'],
      as(DEMO_APPS.logicApp),
    );
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toContain(`${DEMO_BREAK_GLASS_UPN}  protected`);
    expect(run.stdout).toContain(`${missing}  not_found`);
    expect(run.stdout).toMatch(/final: protected 1, not_found 1/);
  });

  it('reset --tap prints the Temporary Access Pass once, with the warning; a later status does not show it', async () => {
    const run = await runCli(
      ['reset', DEMO_USERS.defaultSms, '--ticket', newTicket(), '--reason', 'lost_device', '--tap-lifetime', '60'],
      as(DEMO_APPS.servicenow),
    );
    expect(run.code, describeRun(run)).toBe(0);
    const passes = [...run.stdout.matchAll(/Temporary Access Pass for (\S+): (\S+)/g)];
    expect(passes).toHaveLength(1);
    expect(passes[0]?.[1]).toBe(DEMO_USERS.defaultSms);
    const value = passes[0]?.[2] ?? '';
    expect(value.length).toBeGreaterThanOrEqual(8);
    expect(run.stdout).toMatch(/WARNING: Shown once.*verified channel/);
    // The user holds the pass the CLI printed (the emulator keeps it as Graph does).
    expect((await stack.emulator.user(DEMO_USERS.defaultSms)).methods.map((m) => m['@odata.type'])).toContain(
      '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
    );
    const later = await runCli(['status', requestIdIn(run.stdout) ?? ''], as(DEMO_APPS.servicenow));
    expect(later.code, describeRun(later)).toBe(0);
    expect(later.stdout + later.stderr).not.toContain(value);
    expect(later.stderr).toContain(`The Temporary Access Pass for ${DEMO_USERS.defaultSms} was already shown`);
  });

  it('bulk: waits for approval by another identity, then a plain progress line per 5 %, exit 0', async () => {
    const users = ordinaryUsers(20, 0);
    const file = await csvFile(
      'bulk.csv',
      `user,ticket,reason\n${users.map((u) => `${u},${newTicket()},lost_device`).join('\n')}\n`,
    );
    const bulk = startCli(['bulk', file], as(DEMO_APPS.logicApp));
    bulk.child.stdin.end();
    const [, id = ''] = await untilOutput(
      bulk,
      /Request ([0-9a-f-]{36}) waits for approval/,
      'the upload to wait for approval',
    );
    expect(bulk.stdout()).toContain(`Checked ${file}: 20 users`);

    // The submitter cannot approve its own request; the approver app can.
    const self = await runCli(['approve', id], as(DEMO_APPS.logicApp));
    expect(self.code, describeRun(self)).toBe(2);
    expect(self.stderr).toContain('lacks Resets.Approve');
    const approved = await runCli(['approve', id, '--comment', 'CHG0042 checked'], as(DEMO_APPS.approver));
    expect(approved.code, describeRun(approved)).toBe(0);
    expect(approved.stdout).toContain(`Request ${id}: approved (20 users`);

    const code = await bulk.exited;
    const out = { code, stdout: bulk.stdout(), stderr: bulk.stderr() };
    expect(code, describeRun(out)).toBe(0);
    const progress = [...out.stdout.matchAll(/^progress (\d+)\/20 \((\d+) %\) +(.+)$/gm)];
    expect(progress.length, describeRun(out)).toBeGreaterThanOrEqual(1);
    const percents = progress.map((m) => Number(m[2]));
    // One line each time another 5 % is done: strictly rising, never below 5 %, ending at 100 %.
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(new Set(percents).size).toBe(percents.length);
    expect(percents[0]).toBeGreaterThanOrEqual(5);
    expect(percents.at(-1)).toBe(100);
    for (const m of progress) expect(m[3]).toMatch(/(reset|nothing_to_reset) \d+.*(rate –, ETA –|\/min, ETA \S+)$/);
    expect(out.stdout).toMatch(/Request [0-9a-f-]{36}: completed, 20\/20 final/);
  });

  it('bulk: Ctrl-C asks whether to cancel the request on the service, and cancels it on "y"', async () => {
    const users = ordinaryUsers(3, 20);
    const file = await csvFile(
      'interrupt.csv',
      `user,ticket,reason\n${users.map((u) => `${u},INC0099001,new_device`).join('\n')}\n`,
    );
    const bulk = startCli(['bulk', file], as(DEMO_APPS.logicApp));
    const [, id = ''] = await untilOutput(bulk, /Request ([0-9a-f-]{36}) waits for approval/, 'the upload to wait');
    bulk.child.kill('SIGINT');
    await untilOutput(bulk, /Cancel request .* on the service too\? \[y\/N\]/, 'the question');
    bulk.child.stdin.end('y\n');
    const code = await bulk.exited;
    expect(code, bulk.stderr()).toBe(1);
    expect(bulk.stdout()).toContain(`Cancelled request ${id}: 3 users not started end cancelled`);
    const status = await runCli(['status', id], as(DEMO_APPS.logicApp));
    expect(status.code, describeRun(status)).toBe(1);
    expect(status.stdout).toMatch(/completed \(cancelled\), 3\/3 final: cancelled 3/);
  });

  it('cancel: a request waiting for approval ends with every user cancelled', async () => {
    const users = ordinaryUsers(2, 23);
    const file = await csvFile(
      'cancel.csv',
      `user,ticket,reason\n${users.map((u) => `${u},INC0099002,other`).join('\n')}\n`,
    );
    const submitted = await runCli(['bulk', file, '--no-wait'], as(DEMO_APPS.logicApp));
    expect(submitted.code, describeRun(submitted)).toBe(0);
    const id = requestIdIn(submitted.stdout) ?? '';
    expect(submitted.stdout).toContain(`Accepted request ${id}: 2 users, awaiting_approval`);
    const pending = await runCli(['status', id], as(DEMO_APPS.logicApp));
    expect(pending.code, describeRun(pending)).toBe(0);
    expect(pending.stderr).toContain(`waits for approval by another identity: mfa-reset approve ${id}`);
    const cancelled = await runCli(['cancel', id], as(DEMO_APPS.logicApp));
    expect(cancelled.code, describeRun(cancelled)).toBe(0);
    expect(cancelled.stdout).toContain(`Cancelled request ${id}: 2 users cancelled now.`);
    const after = await runCli(['status', id], as(DEMO_APPS.logicApp));
    expect(after.code, describeRun(after)).toBe(1);
    expect(after.stdout).toMatch(/completed \(cancelled\), 2\/2 final: cancelled 2/);
  });

  it('whoami: the ids and roles the service sees, ids only', async () => {
    const me = await runCli(['whoami'], as(DEMO_APPS.logicApp));
    expect(me.code, describeRun(me)).toBe(0);
    expect(me.stdout).toContain('identity: an application');
    expect(me.stdout).toContain(`app:      ${DEMO_APPS.logicApp.appId}`);
    expect(me.stdout).toContain('roles:    Resets.Submit, Resets.SubmitBulk, Resets.Read');
    const none = await runCli(['whoami'], as(DEMO_APPS.noRoles));
    expect(none.code, describeRun(none)).toBe(0);
    expect(none.stdout).toContain('roles:    (none)');
    expect(none.stderr).toContain("You hold none of the service's roles");
  });

  it('exit 2 for an account without the role, naming it, and for a wrong audience, naming the fix', async () => {
    const users = ordinaryUsers(2, 25);
    const file = await csvFile(
      'norole.csv',
      `user,ticket,reason\n${users.map((u) => `${u},INC0099003,other`).join('\n')}\n`,
    );
    const denied = await runCli(['bulk', file, '--dry-run'], as(DEMO_APPS.servicenow));
    expect(denied.code, describeRun(denied)).toBe(2);
    expect(denied.stderr).toContain('your account lacks Resets.SubmitBulk');
    const wrong = await runCli(['whoami', '--token', 'not-a-token'], as(DEMO_APPS.servicenow));
    expect(wrong.code, describeRun(wrong)).toBe(2);
    expect(wrong.stderr).toMatch(/the service refused the token \(malformed\)/);
  });
});

describe('mfa-reset usage (no service needed)', () => {
  const noService = () => cliEnv({ AZURE_CLIENT_ID: undefined });

  it('exit 2 for usage errors, before anything is sent', async () => {
    const cases: [string[], RegExp][] = [
      [[], /mfa-reset reset <user>/],
      [['frobnicate'], /unknown command frobnicate/],
      [['reset', DEMO_USERS.plain, '--reason', 'lost_device'], /--ticket: is required/],
      [['reset', DEMO_USERS.plain, '--ticket', 'INC1', '--reason', 'bored'], /--reason: must be one of lost_device/],
      [['reset', 'not a user', '--ticket', 'INC1', '--reason', 'other'], /user: must be a user principal name/],
      [['status', 'abc'], /abc is not a request id/],
      [['reject', '6f1c0d4e-1b7a-4c1e-9f49-0b9f3a2d4e55'], /--comment is required/],
      [['whoami', '--bogus'], /Unknown option '--bogus'/],
      [['whoami'], /No API: pass --api/],
      [['whoami', '--api', 'https://example.invalid'], /No audience for the token/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args, noService())));
    cases.forEach(([args, message], i) => {
      const run = runs[i] ?? { code: -1, stdout: '', stderr: '' };
      expect(run.code, `${args.join(' ')}: ${describeRun(run)}`).toBe(2);
      expect(run.stdout + run.stderr, args.join(' ')).toMatch(message);
    });
  });

  it('a bad CSV is caught locally, every problem with its line, and nothing is sent (no API is even configured)', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(
      file,
      [
        'user,ticket,reason',
        `${DEMO_USERS.plain},INC0012345,lost_device`,
        'not-a-user,INC0012346,lost_device',
        `${DEMO_USERS.defaultOath},,bored`,
        '',
      ].join('\n'),
    );
    const run = await runCli(['bulk', file], noService());
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toContain(`Not sent: ${file} has 3 problems.`);
    expect(run.stderr).toMatch(/line 3: user must be a user principal name/);
    expect(run.stderr).toMatch(/line 4: ticket /);
    expect(run.stderr).toMatch(/line 4: reason must be one of/);
    expect(run.stdout).not.toContain('Accepted');
    expect(run.stderr).not.toContain('No API');
  });
});
