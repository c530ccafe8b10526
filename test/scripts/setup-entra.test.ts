// npm run setup-entra against the emulator: the real Graph client and ClientSecretCredential, a tenant where the
// worker's identity holds nothing yet (a fresh deployment), and the azd hooks for a deployer without directory rights.
import { ClientSecretCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_GROUPS,
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_USERS,
  GRAPH_AUDIENCE,
  demoTenant,
} from '../../dev/graph-emulator/index.js';
import type { TenantFixture } from '../../dev/graph-emulator/index.js';
import { setupEntraCli } from '../../scripts/setup-entra.js';
import { preprovision } from '../../scripts/preprovision.js';
import { entraAfterProvision } from '../../scripts/lib/entra-hook.js';
import { WORKER_GRAPH_PERMISSIONS } from '../../scripts/grant-graph-permissions.js';
import { API_ROLE_IDS, API_SCOPE_ID, PREAUTHORIZED_PUBLIC_CLIENTS, Roles } from '../../src/lib/domain/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';
import { emulatorArgs, runScript } from './script-harness.js';

const admin = {
  appId: '5e1f0000-0000-4000-8000-00000000e001',
  displayName: 'Directory admin automation',
  clientSecret: 'entra-admin-demo-secret',
  roles: {
    [GRAPH_AUDIENCE]: [
      'Application.ReadWrite.All',
      'AppRoleAssignment.ReadWrite.All',
      'Application.Read.All',
      'User.Read.All',
      'GroupMember.Read.All',
    ],
  },
};
/** A subscription owner with no directory role: reads the directory, writes nothing in it. */
const deployer = {
  appId: '5e1f0000-0000-4000-8000-00000000e002',
  displayName: 'Subscription owner',
  clientSecret: 'entra-deployer-demo-secret',
  roles: { [GRAPH_AUDIENCE]: ['Application.Read.All'] },
};
const caller = {
  appId: '5e1f0000-0000-4000-8000-00000000e003',
  displayName: 'ServiceNow (new instance)',
  clientSecret: 'entra-caller-demo-secret',
  roles: {},
};
const intake = {
  appId: '5e1f0000-0000-4000-8000-00000000e004',
  displayName: 'mfa-reset intake identity',
  roles: {},
};

function freshTenant(): TenantFixture {
  const tenant = demoTenant();
  const apps = tenant.apps.map((a) => (a.appId === DEMO_MANAGED_IDENTITY_APP_ID ? { ...a, roles: {} } : a));
  return { ...tenant, apps: [...apps, admin, deployer, caller, intake] };
}

describe('scripts/setup-entra against the emulator', () => {
  let emu: TestEmulator;
  let firstRun: string[] = [];

  beforeAll(async () => {
    emu = await startTestEmulator(freshTenant());
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const run = (signIn: typeof admin | typeof deployer, ...args: string[]) =>
    runScript(setupEntraCli, [...args, ...emulatorArgs(emu, signIn)], { AZURE_CLIENT_SECRET: signIn.clientSecret });
  const writes = async () =>
    [...(await emu.requests({ method: 'POST' })), ...(await emu.requests({ method: 'PATCH' }))].filter((r) =>
      r.path.includes('/v1.0/'),
    );
  /** A raw Graph call with a minted token holding exactly `roles`. */
  const graph = async (method: string, path: string, roles: string[], body?: unknown, headers = {}) => {
    const token = await emu.mintToken({ appId: admin.appId, roles });
    const res = await fetch(`${emu.url}/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const workerPrincipal = async () =>
    (
      (
        await graph('GET', `/servicePrincipals?$filter=appId eq '${DEMO_MANAGED_IDENTITY_APP_ID}'`, [
          'Application.Read.All',
        ])
      ).body.value as { id: string }[]
    )[0]?.id ?? '';

  it('dry run prints the plan and sends no writes', async () => {
    await emu.clearRequests();
    const r = await run(admin, '--dry-run', '--worker', DEMO_MANAGED_IDENTITY_APP_ID);

    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('API app mfa-reset-api: would create');
    expect(r.out).toContain(`API app: app role Resets.Submit (id ${API_ROLE_IDS[Roles.submit]}): would add`);
    expect(r.out).toContain('API service principal: would create with assignment required');
    expect(r.out).toContain('worker: Graph permission Policy.Read.AuthenticationMethod: would grant');
    expect(r.out.at(-1)).toMatch(/^dry run: \d+ to change, 0 unchanged; nothing written$/);
    expect(await writes()).toEqual([]);
  });

  it('a deployer without directory rights: the hooks print the exact command for an administrator', async () => {
    await emu.clearRequests();
    const credential = new ClientSecretCredential(emu.env.AUTH_TENANT_ID, deployer.appId, deployer.clientSecret, {
      authorityHost: emu.url,
      disableInstanceDiscovery: true,
    });
    const worker = await workerPrincipal();
    const env = {
      AZURE_ENV_NAME: 'prod',
      WORKER_PRINCIPAL_ID: worker,
      INTAKE_PRINCIPAL_ID: intake.appId,
      GRAPH_BASE_URL: emu.url,
    };
    const set: string[] = [];
    const deps = { credential, setAzdValue: (n: string) => Promise.resolve(void set.push(n)), replicationDelaysMs: [] };
    const command =
      `npm run setup-entra -- --unique-name mfa-reset-api-prod --display-name "mfa-reset API (prod)" ` +
      `--worker ${worker} --intake ${intake.appId} --graph-base-url ${emu.url}`;

    const out: string[] = [];
    await entraAfterProvision(env, { out: (l) => out.push(l), err: (l) => out.push(l) }, deps, false);
    expect(
      out.some((l) => l.startsWith('entra: not done: Graph refused to create the API app registration (403')),
    ).toBe(true);
    expect(out).toContain(`entra:   ${command}`);

    const pre = await runScript((argv, e, io) => preprovision(argv, e, io, deps), [], env);
    expect(pre.code).toBe(1);
    expect(pre.err[0]).toContain(
      `run \`npm run setup-entra -- --unique-name mfa-reset-api-prod --display-name "mfa-reset API (prod)" --graph-base-url ${emu.url}\``,
    );
    expect(set).toEqual([]);
    expect((await writes()).map((w) => `${w.method} ${w.status}`)).toEqual(['PATCH 403', 'PATCH 403']);
  });

  it('first run creates the registration, its service principal, the worker grants and caller roles', async () => {
    const r = await run(
      admin,
      '--worker',
      DEMO_MANAGED_IDENTITY_APP_ID,
      '--intake',
      intake.appId,
      '--assign',
      `${Roles.submit}=app:${caller.appId}`,
      '--assign',
      `${Roles.read}=user:${DEMO_USERS.plain}`,
      '--assign',
      `${Roles.approve}=group:${DEMO_GROUPS.helpdeskAdmins}`,
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    firstRun = r.out;
    const appId = /^AUTH_AUDIENCE=(.+)$/.exec(r.out.at(-1) ?? '')?.[1] ?? '';
    expect(r.out).toContain(`API app: identifier URI api://${appId}: added`);
    const granted = r.out.map((l) => /^worker: Graph permission (\S+): granted$/.exec(l)?.[1]).filter(Boolean);
    expect(granted).toEqual([...WORKER_GRAPH_PERMISSIONS]);
    expect(r.out).toContain('intake: no Graph permission (it needs none): unchanged');

    const app = (await graph('GET', `/applications(uniqueName='mfa-reset-api')`, ['Application.Read.All'])).body as {
      appId: string;
      identifierUris: string[];
      appRoles: { id: string; value: string; allowedMemberTypes: string[] }[];
      api: {
        requestedAccessTokenVersion: number;
        oauth2PermissionScopes: { id: string; value: string }[];
        preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[];
      };
    };
    expect(app.appId).toBe(appId);
    expect(app.identifierUris).toEqual([`api://${appId}`]);
    expect(Object.fromEntries(app.appRoles.map((x) => [x.value, x.id]))).toEqual(
      Object.fromEntries(Object.entries(API_ROLE_IDS)),
    );
    expect(app.appRoles.every((x) => x.allowedMemberTypes.join() === 'Application,User')).toBe(true);
    expect(app.api.requestedAccessTokenVersion).toBe(2);
    expect(app.api.oauth2PermissionScopes.map((s) => [s.value, s.id])).toEqual([['Resets.Access', API_SCOPE_ID]]);
    expect(app.api.preAuthorizedApplications).toEqual([
      { appId: PREAUTHORIZED_PUBLIC_CLIENTS.azureCli, delegatedPermissionIds: [API_SCOPE_ID] },
      { appId: PREAUTHORIZED_PUBLIC_CLIENTS.graphPowerShell, delegatedPermissionIds: [API_SCOPE_ID] },
    ]);
    const sp = (
      (await graph('GET', `/servicePrincipals?$filter=appId eq '${appId}'`, ['Application.Read.All'])).body.value as {
        id: string;
        appRoleAssignmentRequired: boolean;
      }[]
    )[0];
    expect(sp?.appRoleAssignmentRequired).toBe(true);
    const assigned = (await graph('GET', `/servicePrincipals/${sp?.id}/appRoleAssignedTo`, ['Application.Read.All']))
      .body.value as { principalType: string; appRoleId: string }[];
    expect(assigned.map((a) => [a.principalType, a.appRoleId]).sort()).toEqual(
      [
        ['Group', API_ROLE_IDS[Roles.approve]],
        ['ServicePrincipal', API_ROLE_IDS[Roles.submit]],
        ['User', API_ROLE_IDS[Roles.read]],
      ].sort(),
    );
    // The caller app's next token for the new API carries its role.
    const token = await emu.clientToken(caller, `api://${appId}/.default`);
    expect(decodeJwt(token).roles).toEqual([Roles.submit]);
  });

  it('second run changes nothing and keeps every id', async () => {
    await emu.clearRequests();
    const r = await run(
      admin,
      '--worker',
      DEMO_MANAGED_IDENTITY_APP_ID,
      '--intake',
      intake.appId,
      '--assign',
      `${Roles.submit}=app:${caller.appId}`,
      '--assign',
      `${Roles.read}=user:${DEMO_USERS.plain}`,
      '--assign',
      `${Roles.approve}=group:${DEMO_GROUPS.helpdeskAdmins}`,
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const changed = r.out.filter((l) => / (added|updated|created|granted|assigned|set)( |$)/.test(l));
    expect(changed).toEqual([]);
    expect(r.out.at(-2)).toMatch(/^done: 0 changed, \d+ unchanged$/);
    expect(r.out.at(-1)).toBe(firstRun.at(-1));
    expect(r.out.find((l) => l.startsWith('API app mfa-reset-api: unchanged (found: '))).toContain(
      /appId (\S+),/.exec(firstRun.find((l) => l.startsWith('API app mfa-reset-api: created')) ?? '')?.[1] ?? '?',
    );
    expect(await writes()).toEqual([]);
  });

  it('preprovision with the rights creates the registration and records AUTH_AUDIENCE; then it is left alone', async () => {
    const credential = new ClientSecretCredential(emu.env.AUTH_TENANT_ID, admin.appId, admin.clientSecret, {
      authorityHost: emu.url,
      disableInstanceDiscovery: true,
    });
    const set: [string, string][] = [];
    const deps = {
      credential,
      setAzdValue: (n: string, v: string) => Promise.resolve(void set.push([n, v])),
      replicationDelaysMs: [],
    };
    const env = { AZURE_ENV_NAME: 'test', GRAPH_BASE_URL: emu.url };
    const first = await runScript((argv, e, io) => preprovision(argv, e, io, deps), [], env);
    expect(first.err).toEqual([]);
    const created = first.out.find((l) => l.startsWith('entra: API app mfa-reset-api-test: created (appId '));
    expect(created).toContain(`appId ${set[0]?.[1] ?? '?'},`);
    expect(first.out.at(-1)).toBe(`entra: azd environment: AUTH_AUDIENCE=${set[0]?.[1] ?? '?'}`);
    expect(set.map(([n]) => n)).toEqual(['AUTH_AUDIENCE']);
    const again = await runScript((argv, e, io) => preprovision(argv, e, io, deps), [], {
      ...env,
      AUTH_AUDIENCE: set[0]?.[1],
    });
    expect(again.out).toEqual([
      `entra: AUTH_AUDIENCE is ${set[0]?.[1]}; the registration is checked after provisioning`,
    ]);
  });

  it('a registration made by hand keeps its role ids; missing parts get the fixed ids', async () => {
    const handMadeRoleId = '3c9e1f00-0000-4000-8000-0000000000aa';
    const connector = '5e1f0000-0000-4000-8000-00000000e0cc';
    const created = await graph(
      'PATCH',
      `/applications(uniqueName='hand-made')`,
      ['Application.ReadWrite.All'],
      {
        displayName: 'mfa-reset API (by hand)',
        appRoles: [
          {
            id: handMadeRoleId,
            value: Roles.submit,
            displayName: 'Submit',
            description: 'Submit one reset.',
            allowedMemberTypes: ['Application'],
            isEnabled: true,
          },
        ],
      },
      { Prefer: 'create-if-missing' },
    );
    const appId = (created.body as { appId: string }).appId;
    await graph('POST', '/servicePrincipals', ['Application.ReadWrite.All'], { appId });

    const r = await run(admin, '--api-app-id', appId, '--connector-client-id', connector);
    expect(r.err).toEqual([]);
    expect(r.out).toContain(`API app: app role Resets.Submit (id ${handMadeRoleId}): updated`);
    expect(r.out).toContain(`API app: app role Resets.Read (id ${API_ROLE_IDS[Roles.read]}): added`);
    expect(r.out).toContain(`API app: pre-authorized client connector (${connector}): added`);
    expect(r.out.some((l) => l.startsWith('API service principal: assignment required: set (object id '))).toBe(true);
    const app = (await graph('GET', `/applications(appId='${appId}')`, ['Application.Read.All'])).body as {
      appRoles: { id: string; value: string; allowedMemberTypes: string[] }[];
    };
    expect(app.appRoles.find((x) => x.value === Roles.submit)).toMatchObject({
      id: handMadeRoleId,
      allowedMemberTypes: ['Application', 'User'],
    });
  });

  it('the emulator refuses what Graph refuses on these endpoints', async () => {
    const read = ['Application.Read.All'];
    const write = ['Application.ReadWrite.All'];
    expect((await graph('GET', `/applications?$filter=startswith(displayName,'mfa')`, read)).status).toBe(400);
    expect((await graph('GET', `/applications?$filter=appId eq 'x'`, ['User.Read.All'])).status).toBe(403);
    expect(
      (
        await graph(
          'PATCH',
          `/applications(uniqueName='other')`,
          read,
          { displayName: 'x' },
          { Prefer: 'create-if-missing' },
        )
      ).status,
    ).toBe(403);
    // Without Prefer: create-if-missing the upsert is an update, and there is nothing to update.
    expect((await graph('PATCH', `/applications(uniqueName='other')`, write, { displayName: 'x' })).status).toBe(404);

    const app = (await graph('GET', `/applications(uniqueName='mfa-reset-api')`, read)).body as {
      id: string;
      appId: string;
      appRoles: { value: string }[];
    };
    const patch = (body: unknown) => graph('PATCH', `/applications/${app.id}`, write, body);
    const dropped = await patch({ appRoles: app.appRoles.filter((x) => x.value !== Roles.read) });
    expect([dropped.status, (dropped.body.error as { message: string }).message]).toEqual([
      400,
      `App role '${Roles.read}' must be disabled (isEnabled false) before it can be removed.`,
    ]);
    expect((await patch({ identifierUris: ['api://someone-else'] })).status).toBe(400);
    expect(
      (
        await patch({
          api: { preAuthorizedApplications: [{ appId: caller.appId, delegatedPermissionIds: [DEMO_GROUPS.allStaff] }] },
        })
      ).status,
    ).toBe(400);
    expect((await graph('POST', '/servicePrincipals', write, { appId: app.appId })).status).toBe(409);
    expect((await graph('POST', '/servicePrincipals', read, { appId: app.appId })).status).toBe(403);
  });
});
