// `--direct` against the emulator: the service's engine in-process, signed in through the device code flow (the
// emulator approves the code as a demo person) with Graph PowerShell's public client. An Authentication
// Administrator resets a plain user; our guard protects the admins before Graph is asked; a helpdesk person without an
// Entra admin role gets Graph's 403 as a message naming the role; the results CSV has the service export's columns.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BREAK_GLASS_UPN, DEMO_PEOPLE, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { ADMIN_ROLE_MISSING, directCommand, NO_AUDIT_NOTICE, type DirectHooks } from '../../src/cli/direct/index.js';
import { PASSWORD_METHOD_ID } from '../../dev/graph-emulator/index.js';
import { CSV_HEADER } from '../../src/lib/http/status-views.js';
import { parseJsonRequest } from '../../src/lib/requests/index.js';
import type { ParsedRequest } from '../../src/lib/requests/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { cliEnv, runCli } from './support/run-cli.js';

let emu: TestEmulator;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startTestEmulator();
  dir = await mkdtemp(join(tmpdir(), 'mfa-direct-'));
  env = {
    GRAPH_BASE_URL: emu.url,
    GRAPH_ALLOW_ANY_HOST: 'true',
    AZURE_AUTHORITY_HOST: emu.url,
    PROTECTED_USERS: DEMO_BREAK_GLASS_UPN,
  };
});
afterAll(async () => {
  await emu.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The request as `mfa-reset reset` validates it (the intake's validators). */
function request(users: string[], options: Record<string, unknown> = {}): ParsedRequest {
  const parsed = parseJsonRequest({ users, ticket: 'INC0012345', reason: 'lost_device', options }, 100);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.request;
}

/** Runs --direct signed in (device code, approved at once) as `person`; what it printed and its exit code. */
async function runAs(
  person: string,
  req: ParsedRequest,
  results: string,
  extra: Record<string, string> = {},
  hooks: DirectHooks = {},
) {
  const approved = await emu.control('PUT', 'devicecode', { autoApproveAs: person, intervalSeconds: 0 });
  expect(approved.status).toBe(200);
  const lines: string[] = [];
  const notes: string[] = [];
  const code = await directCommand(
    req,
    { direct: true, tenant: DEMO_TENANT_ID, results: join(dir, results), ...extra },
    env,
    { line: (t) => lines.push(t), note: (t) => notes.push(t) },
    hooks,
  );
  return { code, lines, notes };
}

async function csvOf(name: string): Promise<string[][]> {
  const rows: string[][] = parse(await readFile(join(dir, name), 'utf8'), { record_delimiter: '\r\n' });
  return rows;
}

describe('mfa-reset --direct', () => {
  it('an Authentication Administrator resets a plain user; admins and the break-glass account stay protected', async () => {
    const before = await emu.user(DEMO_USERS.plain);
    const defaultId = before.defaultMethodId;
    expect(defaultId).toBeTruthy();
    await emu.clearRequests();

    const run = await runAs(
      DEMO_PEOPLE.admin,
      request([DEMO_USERS.plain, DEMO_USERS.globalAdmin, DEMO_BREAK_GLASS_UPN]),
      'admin.csv',
    );
    // Protected users are not reset: exit 1, as with the service.
    expect(run.code, [...run.notes, ...run.lines].join('\n')).toBe(1);
    expect(run.notes[0]).toBe(NO_AUDIT_NOTICE);
    // The device code prompt went to stderr (notes), never to the results.
    expect(run.notes.some((n) => n.includes('devicelogin'))).toBe(true);
    expect(run.lines.some((l) => l.includes('devicelogin'))).toBe(false);

    const after = await emu.user(DEMO_USERS.plain);
    expect(after.methods.map((m) => m.id)).toEqual([PASSWORD_METHOD_ID]);
    expect(Date.parse(after.signInSessionsValidFromDateTime)).toBeGreaterThan(
      Date.parse(before.signInSessionsValidFromDateTime),
    );
    // Every call was the signed-in person's (Graph PowerShell's client), and the default went last.
    const calls = await emu.requests({ path: '/v1.0/users/' });
    expect(new Set(calls.map((c) => c.app))).toEqual(new Set(['14d82eec-204b-4c2f-b7e8-296a70dab67e']));
    const deletes = await emu.requests({ method: 'DELETE', path: before.id });
    expect(deletes.length).toBe(before.methods.length - 1);
    expect(deletes.at(-1)?.path).toContain(defaultId);
    // Our guard protects the admins, whatever Graph answers the person's parallel reads (Entra refuses an
    // Authentication Administrator the methods of an admin): outcome protected, no write was sent.
    const alice = await emu.user(DEMO_USERS.globalAdmin);
    expect(calls.filter((c) => c.path.includes(alice.id) && c.method !== 'GET')).toEqual([]);
    expect(calls.filter((c) => c.status === 403 && !c.path.includes(alice.id))).toEqual([]);

    const rows = await csvOf('admin.csv');
    expect(rows[0]).toEqual(CSV_HEADER);
    const byUser = new Map(rows.slice(1).map((r) => [r[1], Object.fromEntries(CSV_HEADER.map((h, i) => [h, r[i]]))]));
    expect(byUser.get(DEMO_USERS.plain)).toMatchObject({
      outcome: 'reset',
      sessionsRevoked: 'true',
      userId: before.id,
    });
    expect(byUser.get(DEMO_USERS.globalAdmin)).toMatchObject({ outcome: 'protected', methodsRemaining: '' });
    expect(byUser.get(DEMO_BREAK_GLASS_UPN)).toMatchObject({ outcome: 'protected' });
    expect(run.lines.at(-1)).toContain('reset 1, protected 2');
  });

  it('a helpdesk person without an Entra admin role gets a per-user message naming the role', async () => {
    const target = await emu.user(DEMO_USERS.defaultSms);
    const run = await runAs(DEMO_PEOPLE.helpdesk, request([DEMO_USERS.defaultSms]), 'helpdesk.csv');
    expect(run.code).toBe(1);
    const [header, row] = await csvOf('helpdesk.csv');
    const cells = Object.fromEntries((header ?? []).map((h, i) => [h, row?.[i]]));
    expect(cells).toMatchObject({ outcome: 'failed', errorCode: ADMIN_ROLE_MISSING });
    expect(cells.errorMessage).toMatch(/Authentication Administrator.*Privileged Authentication Administrator/);
    expect(run.lines.some((l) => l.includes(ADMIN_ROLE_MISSING))).toBe(true);
    // Nothing changed.
    expect((await emu.user(DEMO_USERS.defaultSms)).methods).toHaveLength(target.methods.length);
  });

  it('refuses an application token and an existing results file before any user (exit 2)', async () => {
    const appToken = await emu.mintToken({
      appId: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
      roles: ['UserAuthenticationMethod.ReadWrite.All'],
    });
    const app = await runAs(DEMO_PEOPLE.admin, request([DEMO_USERS.plain]), 'app.csv', { token: appToken });
    expect(app.code).toBe(2);
    expect(app.notes.join('\n')).toMatch(/application's/);

    const again = await runAs(DEMO_PEOPLE.admin, request([DEMO_USERS.plain]), 'admin.csv');
    expect(again.code).toBe(2);
    expect(again.notes.join('\n')).toMatch(/exists/);
  });

  it('mfa-reset bulk --direct: the file checked by the intake validators, plain progress lines, exit 0', async () => {
    await emu.control('PUT', 'devicecode', { autoApproveAs: DEMO_PEOPLE.admin, intervalSeconds: 0 });
    const csv = join(dir, 'bulk.csv');
    const users = [DEMO_USERS.defaultPush, DEMO_USERS.defaultVoiceOffice];
    await writeFile(csv, ['user,ticket,reason', ...users.map((u) => `${u},INC0012346,lost_device`)].join('\n'));
    const results = join(dir, 'bulk-results.csv');
    const run = await runCli(
      ['bulk', csv, '--direct', '--tenant', DEMO_TENANT_ID, '-o', results],
      cliEnv({ ...env, AZURE_TENANT_ID: undefined }),
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).toContain('devicelogin');
    expect(run.stdout).toMatch(/progress 2\/2 \(100 %\)/);
    const rows = await csvOf('bulk-results.csv');
    expect(rows.slice(1).map((r) => r[5])).toEqual(['reset', 'reset']);
  });

  it('--tap: the pass is printed once on stdout after a verified reset, never written to the results CSV', async () => {
    const sentinel = 'DirectPassSentinel42';
    expect(
      (await emu.control('PUT', 'policies/temporaryAccessPass', { state: 'enabled', fixedValue: sentinel })).status,
    ).toBe(200);
    const run = await runAs(
      DEMO_PEOPLE.admin,
      request([DEMO_USERS.defaultSms], { temporaryAccessPass: {} }),
      'tap.csv',
    );
    expect(run.code, [...run.notes, ...run.lines].join('\n')).toBe(0);
    expect(run.lines.filter((l) => l.includes(sentinel))).toHaveLength(1);
    expect(run.notes.join('\n')).not.toContain(sentinel);
    expect(await readFile(join(dir, 'tap.csv'), 'utf8')).not.toContain(sentinel);
  });

  it('stopped (Ctrl-C) before a user starts: it ends cancelled with no Graph call, and the CSV is still written', async () => {
    await emu.clearRequests();
    const run = await runAs(
      DEMO_PEOPLE.admin,
      request([DEMO_USERS.defaultOath]),
      'stopped.csv',
      {},
      { stopped: () => true },
    );
    expect(run.code).toBe(1);
    expect((await csvOf('stopped.csv'))[1]?.[5]).toBe('cancelled');
    expect(await emu.requests({ path: '/v1.0/' })).toEqual([]);
  });
});
