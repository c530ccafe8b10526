import { ManagedIdentityCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_MANAGED_IDENTITY_APP_ID, GRAPH_AUDIENCE, demoTenant } from '../../dev/graph-emulator/index.js';
import type { TenantFixture } from '../../dev/graph-emulator/index.js';
import { WORKER_GRAPH_PERMISSIONS, grantGraphPermissions } from '../../scripts/grant-graph-permissions.js';
import { graphEnvFor, startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';
import { emulatorArgs, runScript } from './script-harness.js';

// An app that may read service principals but not assign roles: the "caller without AppRoleAssignment.ReadWrite.All".
const readOnlyAdmin = {
  appId: '5e1f0000-0000-4000-8000-00000000a001',
  displayName: 'Reads service principals only',
  clientSecret: 'read-only-admin-demo-secret',
  roles: { [GRAPH_AUDIENCE]: ['Application.Read.All'] },
};

/** The demo tenant, but the worker's managed identity starts with no Graph permissions (a fresh deployment). */
function freshDeploymentTenant(): TenantFixture {
  const tenant = demoTenant();
  return {
    ...tenant,
    apps: [
      ...tenant.apps.map((app) => (app.appId === DEMO_MANAGED_IDENTITY_APP_ID ? { ...app, roles: {} } : app)),
      readOnlyAdmin,
    ],
  };
}

const deployer = DEMO_APPS.deployer;
const secretOf = (app: { clientSecret: string }) => ({ AZURE_CLIENT_SECRET: app.clientSecret });

describe('scripts/grant-graph-permissions against the emulator', () => {
  let emu: TestEmulator;
  let workerObjectId = '';

  beforeAll(async () => {
    emu = await startTestEmulator(freshDeploymentTenant());
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const grant = (principal: string, signIn: { appId: string; clientSecret: string }, ...extra: string[]) =>
    runScript(grantGraphPermissions, [principal, ...emulatorArgs(emu, signIn), ...extra], secretOf(signIn));
  const assignmentWrites = async () =>
    (await emu.requests({ method: 'POST', path: 'appRoleAssignments' })).filter((r) => r.status !== 0);

  const n = WORKER_GRAPH_PERMISSIONS.length;

  it('grants seven permissions: the reset, the revoke, the guard (roles, groups, PIM for Groups), the TAP policy', () => {
    expect(n).toBe(7);
    expect(WORKER_GRAPH_PERMISSIONS).toContain('Policy.Read.AuthenticationMethod');
  });

  it('dry run lists the permissions to grant and writes nothing', async () => {
    const run = await grant(DEMO_MANAGED_IDENTITY_APP_ID, deployer, '--dry-run');

    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out.filter((l) => l.startsWith('would grant: ')).map((l) => l.slice(13))).toEqual([
      ...WORKER_GRAPH_PERMISSIONS,
    ]);
    expect(run.out.at(-1)).toBe(`dry run: ${n} to grant, 0 already granted; nothing written`);
    expect(await assignmentWrites()).toEqual([]);
    workerObjectId = /object id ([0-9a-f-]{36})/.exec(run.out[0] ?? '')?.[1] ?? '';
    expect(workerObjectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(workerObjectId).not.toBe(DEMO_MANAGED_IDENTITY_APP_ID);
  });

  it('first run (worker given by client id) grants the permissions', async () => {
    const run = await grant(DEMO_MANAGED_IDENTITY_APP_ID, deployer);

    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out.filter((l) => l.startsWith('granted: ')).map((l) => l.slice(9))).toEqual([
      ...WORKER_GRAPH_PERMISSIONS,
    ]);
    expect(run.out).toContain(`done: ${n} granted, 0 already granted`);
    const writes = await assignmentWrites();
    expect(writes.map((w) => w.status)).toEqual(Array.from({ length: n }, () => 201));
    expect(new Set(writes.map((w) => w.app))).toEqual(new Set([deployer.appId]));
  });

  it('second run (worker given by object id) grants nothing and reports "already granted"', async () => {
    await emu.clearRequests();
    const run = await grant(workerObjectId, deployer);

    expect(run.code).toBe(0);
    expect(run.out.filter((l) => l.startsWith('already granted: ')).map((l) => l.slice(17))).toEqual([
      ...WORKER_GRAPH_PERMISSIONS,
    ]);
    expect(run.out).toContain(`done: 0 granted, ${n} already granted`);
    expect(await assignmentWrites()).toEqual([]);
  });

  it('a fresh managed-identity token carries exactly the granted roles', async () => {
    graphEnvFor(emu);
    const token = await new ManagedIdentityCredential({ clientId: DEMO_MANAGED_IDENTITY_APP_ID }).getToken(
      'https://graph.microsoft.com/.default',
    );
    const claims = decodeJwt(token.token);
    expect([...(claims.roles as string[])].sort()).toEqual([...WORKER_GRAPH_PERMISSIONS].sort());
  });

  it('a caller without AppRoleAssignment.ReadWrite.All gets a clear error and nothing is assigned', async () => {
    await emu.clearRequests();
    const run = await grant(DEMO_APPS.noRoles.appId, readOnlyAdmin);

    expect(run.code).toBe(1);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^error: Graph refused to assign UserAuthenticationMethod\.ReadWrite\.All \(403 /);
    expect(run.err[0]).toContain('needs AppRoleAssignment.ReadWrite.All');
    expect((await assignmentWrites()).map((w) => w.status)).toEqual([403]);
  });

  it('a caller that cannot even read service principals is told which permission it lacks', async () => {
    const run = await grant(DEMO_MANAGED_IDENTITY_APP_ID, DEMO_APPS.noRoles);

    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(/^error: Graph refused to read service principals \(403 /);
    expect(run.err[0]).toContain('Application.Read.All');
  });

  it('warns about Graph permissions beyond the needed ones', async () => {
    const run = await grant(DEMO_APPS.graphReader.appId, deployer, '--dry-run');

    expect(run.code).toBe(0);
    expect(run.out).toContain('already granted: User.Read.All');
    expect(run.out).toContain(
      'warning: the worker also holds UserAuthenticationMethod.Read.All, which the service does not need: remove it (least privilege)',
    );
    expect(run.out.at(-1)).toBe(`dry run: ${n - 1} to grant, 1 already granted; nothing written`);
  });

  it('--intake confirms the intake holds no Graph permission, and fails when it holds one', async () => {
    const clean = await grant(workerObjectId, deployer, '--intake', DEMO_APPS.noRoles.appId);
    expect(clean.code).toBe(0);
    expect(clean.out.at(-1)).toBe(`intake: ${DEMO_APPS.noRoles.displayName} holds no Graph permission`);

    const dirty = await grant(workerObjectId, deployer, '--dry-run', '--intake', DEMO_APPS.graphReader.appId);
    expect(dirty.code).toBe(1);
    expect(dirty.err[0]).toMatch(
      /^error: the intake's identity Graph read-only app \([0-9a-f-]{36}\) holds Graph permissions it must not have: (UserAuthenticationMethod\.Read\.All, User\.Read\.All|User\.Read\.All, UserAuthenticationMethod\.Read\.All)\./,
    );
  });

  it('reports a failed sign-in on one line', async () => {
    const run = await runScript(grantGraphPermissions, [DEMO_MANAGED_IDENTITY_APP_ID, ...emulatorArgs(emu, deployer)], {
      AZURE_CLIENT_SECRET: 'not-the-secret',
    });

    expect(run.code).toBe(1);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^error: sign-in failed \(\w+Error\): .*AADSTS7000215/);
  });

  it('names an unknown principal and rejects bad arguments', async () => {
    const unknown = await grant('0b0b0b0b-0000-4000-8000-000000000000', deployer);
    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toContain('worker principal 0b0b0b0b-0000-4000-8000-000000000000: no service principal');

    const notGuid = await grant('func-worker', deployer);
    expect(notGuid.code).toBe(1);
    expect(notGuid.err[0]).toContain(
      "must be a service principal object id or an application (client) id (a GUID), got 'func-worker'",
    );

    const none = await runScript(grantGraphPermissions, ['--dry-run']);
    expect(none.code).toBe(2);
    expect(none.err[0]).toBe('error: give exactly one worker principal (object id or client id)');

    const noSecret = await runScript(grantGraphPermissions, [
      DEMO_MANAGED_IDENTITY_APP_ID,
      ...emulatorArgs(emu, deployer),
    ]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.err[0]).toContain('AZURE_CLIENT_SECRET must hold the client secret of --client-id');

    const http = await runScript(grantGraphPermissions, [
      DEMO_MANAGED_IDENTITY_APP_ID,
      '--graph-base-url',
      'http://localhost:1',
    ]);
    expect(http.code).toBe(2);
    expect(http.err[0]).toBe("error: --graph-base-url must be an https URL, got 'http://localhost:1'");
  });
});
