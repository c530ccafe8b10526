import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_APP_ID, DEMO_APPS, demoTenant } from '../../dev/graph-emulator/index.js';
import { assignCallerRole } from '../../scripts/assign-caller-role.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';
import { emulatorArgs, runScript } from './script-harness.js';

// A newly registered ServiceNow client: its service principal exists, it holds no role on the API yet.
const newCaller = {
  appId: '5e1f0000-0000-4000-8000-00000000c001',
  displayName: 'ServiceNow (new instance)',
  clientSecret: 'new-caller-demo-secret',
  roles: {},
};
const deployer = DEMO_APPS.deployer;
const env = { AZURE_CLIENT_SECRET: deployer.clientSecret };

describe('scripts/assign-caller-role against the emulator', () => {
  let emu: TestEmulator;

  beforeAll(async () => {
    const tenant = demoTenant();
    emu = await startTestEmulator({ ...tenant, apps: [...tenant.apps, newCaller] });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const assign = (...args: string[]) => runScript(assignCallerRole, [...args, ...emulatorArgs(emu, deployer)], env);
  const callerRoles = async () => {
    const token = await emu.clientToken(newCaller, `api://${DEMO_API_APP_ID}/.default`);
    return (decodeJwt(token).roles as string[] | undefined) ?? [];
  };
  const writes = async () => emu.requests({ method: 'POST', path: 'appRoleAssignments' });

  it('dry run shows the roles to assign and writes nothing', async () => {
    const run = await assign(
      '--api',
      DEMO_API_APP_ID,
      '--caller',
      newCaller.appId,
      '--role',
      'Resets.Submit',
      '--dry-run',
    );

    expect(run.code).toBe(0);
    expect(run.out).toContain('would assign: Resets.Submit');
    expect(run.out.at(-1)).toBe('dry run: 1 to assign, 0 already assigned; nothing written');
    expect(await writes()).toEqual([]);
    expect(await callerRoles()).toEqual([]);
  });

  it("assigns the roles, and the caller's next token carries them", async () => {
    const run = await assign(
      '--api',
      `api://${DEMO_API_APP_ID}`,
      '--caller',
      newCaller.appId,
      '--role',
      'Resets.Submit',
      '--role',
      'Resets.Read',
    );

    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('assigned: Resets.Submit');
    expect(run.out).toContain('assigned: Resets.Read');
    expect(run.out.at(-1)).toBe('done: 2 assigned, 0 already assigned');
    expect([...(await callerRoles())].sort()).toEqual(['Resets.Read', 'Resets.Submit']);
  });

  it('is idempotent: a second run assigns only what is missing', async () => {
    await emu.clearRequests();
    const run = await assign(
      '--api',
      DEMO_API_APP_ID,
      '--caller',
      newCaller.appId,
      '--role',
      'Resets.Submit',
      '--role',
      'Resets.SubmitBulk',
    );

    expect(run.code).toBe(0);
    expect(run.out).toContain('already assigned: Resets.Submit');
    expect(run.out).toContain('assigned: Resets.SubmitBulk');
    expect(run.out).toContain('note: the caller also holds Resets.Read');
    expect(run.out.at(-1)).toBe('done: 1 assigned, 1 already assigned');
    expect((await writes()).map((w) => w.status)).toEqual([201]);
  });

  it('rejects unknown roles and missing arguments with every problem named', async () => {
    const run = await runScript(assignCallerRole, ['--role', 'Resets.Admin']);

    expect(run.code).toBe(2);
    expect(run.err[0]).toBe(
      "error: --api is required; --caller is required; unknown role 'Resets.Admin' (use Resets.Submit, Resets.SubmitBulk, Resets.Read, Resets.Operate, Resets.Approve)",
    );
  });

  it('names an API app id that has no service principal', async () => {
    const run = await assign(
      '--api',
      '0b0b0b0b-0000-4000-8000-000000000000',
      '--caller',
      newCaller.appId,
      '--role',
      'Resets.Read',
    );

    expect(run.code).toBe(1);
    expect(run.err[0]).toBe(
      'error: API app (--api): no service principal with appId 0b0b0b0b-0000-4000-8000-000000000000 in the tenant',
    );
  });
});
