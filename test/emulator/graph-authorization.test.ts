import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_API_APP_ID,
  DEMO_APPS,
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_USERS,
  PHONE_IDS,
} from '../../dev/graph-emulator/index.js';
import { isGuid } from '../../src/lib/domain/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

const GRAPH_CT = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

interface GraphErrorBody {
  error: { code: string; message: string; innerError: Record<string, string> };
}

describe('Graph authentication and authorization', () => {
  let emu: TestEmulator;
  const call = (token: string | undefined, path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${emu.url}${path}`, {
      ...init,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(init.headers as Record<string, string>),
      },
    });
  const expectError = async (
    res: Response,
    status: number,
    code: string,
    message?: RegExp,
  ): Promise<GraphErrorBody> => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe(GRAPH_CT);
    const body = (await res.json()) as GraphErrorBody;
    expect(body.error.code).toBe(code);
    if (message) expect(body.error.message).toMatch(message);
    return body;
  };
  const methodsPath = `/v1.0/users/${DEMO_USERS.plain}/authentication/methods`;

  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('answers 401 InvalidAuthenticationToken for a missing, malformed, expired, foreign-audience or tampered token', async () => {
    await expectError(await call(undefined, methodsPath), 401, 'InvalidAuthenticationToken', /Access token is empty/);
    await expectError(
      await call('not-a-jwt', methodsPath),
      401,
      'InvalidAuthenticationToken',
      /CompactToken parsing failed/,
    );
    const expired = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID, expiresIn: -60 });
    await expectError(await call(expired, methodsPath), 401, 'InvalidAuthenticationToken', /expired/);
    const apiToken = await emu.clientToken(DEMO_APPS.servicenow, `${DEMO_API_APP_ID}/.default`);
    await expectError(await call(apiToken, methodsPath), 401, 'InvalidAuthenticationToken', /Invalid audience/);
    const good = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['Directory.ReadWrite.All'] })).toString('base64url')}.${s}`;
    const res = await call(forged, methodsPath);
    await expectError(res, 401, 'InvalidAuthenticationToken', /Invalid signature/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('uses the documented envelope and headers: innerError date without Z, request-id, echoed client-request-id', async () => {
    const res = await call(undefined, methodsPath, { headers: { 'client-request-id': 'abc-123' } });
    const body = await expectError(res, 401, 'InvalidAuthenticationToken');
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const requestId = body.error.innerError['request-id'];
    expect(isGuid(requestId) && requestId === requestId.toLowerCase(), requestId).toBe(true);
    expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
    expect(res.headers.get('client-request-id')).toBe('abc-123');
    const noClientId = await call(undefined, methodsPath);
    expect(noClientId.headers.get('client-request-id')).toBe(noClientId.headers.get('request-id'));
    await noClientId.body?.cancel();
  });

  it('403 accessDenied on authentication-method paths without a granting permission', async () => {
    const none = await emu.clientToken(DEMO_APPS.noRoles, 'https://graph.microsoft.com/.default');
    const body = await expectError(
      await call(none, methodsPath),
      403,
      'accessDenied',
      /^Request Authorization failed$/,
    );
    expect(body.error.innerError.message).toBe('Request Authorization failed');
    const reader = await emu.clientToken(DEMO_APPS.graphReader, 'https://graph.microsoft.com/.default');
    expect((await call(reader, methodsPath)).status).toBe(200);
    const del = await call(reader, `/v1.0/users/${DEMO_USERS.plain}/authentication/phoneMethods/${PHONE_IDS.mobile}`, {
      method: 'DELETE',
    });
    await expectError(del, 403, 'accessDenied');
    const tap = await call(reader, `/v1.0/users/${DEMO_USERS.plain}/authentication/temporaryAccessPassMethods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await expectError(tap, 403, 'accessDenied');
    const pref = await call(reader, `/beta/users/${DEMO_USERS.plain}/authentication/signInPreferences`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userPreferredMethodForSecondaryAuthentication: 'sms' }),
    });
    await expectError(pref, 403, 'accessDenied');
    expect((await emu.user(DEMO_USERS.plain)).methods.some((m) => m.id === PHONE_IDS.mobile)).toBe(true);
  });

  it('403 Authorization_RequestDenied on directory paths without a granting permission', async () => {
    const reader = await emu.clientToken(DEMO_APPS.graphReader, 'https://graph.microsoft.com/.default');
    const denied = async (path: string, method = 'GET'): Promise<void> => {
      await expectError(
        await call(reader, path, { method }),
        403,
        'Authorization_RequestDenied',
        /^Insufficient privileges/,
      );
    };
    const admin = (await emu.user(DEMO_USERS.globalAdmin)).id;
    await denied(`/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '${admin}'`);
    await denied(`/v1.0/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '${admin}'`);
    await denied(`/v1.0/users/${DEMO_USERS.plain}/revokeSignInSessions`, 'POST');
    await denied(`/v1.0/servicePrincipals`);
    expect((await call(reader, `/v1.0/users/${DEMO_USERS.plain}?$select=id`)).status).toBe(200);
    expect((await call(reader, `/v1.0/users/${DEMO_USERS.plain}/transitiveMemberOf`)).status).toBe(200);
    const none = await emu.clientToken(DEMO_APPS.noRoles, 'https://graph.microsoft.com/.default');
    await expectError(await call(none, `/v1.0/users/${DEMO_USERS.plain}`), 403, 'Authorization_RequestDenied');
  });

  it('accepts the documented higher-privileged and granular alternatives', async () => {
    const token = (roles: string[]): Promise<string> => emu.mintToken({ appId: DEMO_APPS.noRoles.appId, roles });
    const phoneOnly = await token(['UserAuthMethod-Phone.ReadWrite.All']);
    expect((await call(phoneOnly, `/v1.0/users/${DEMO_USERS.plain}/authentication/phoneMethods`)).status).toBe(200);
    // The granular phone permission does not grant other types or the generic list.
    await expectError(
      await call(phoneOnly, `/v1.0/users/${DEMO_USERS.plain}/authentication/fido2Methods`),
      403,
      'accessDenied',
    );
    await expectError(await call(phoneOnly, methodsPath), 403, 'accessDenied');
    const directory = await token(['Directory.Read.All']);
    expect((await call(directory, `/v1.0/users/${DEMO_USERS.plain}`)).status).toBe(200);
    const admin = (await emu.user(DEMO_USERS.globalAdmin)).id;
    expect(
      (await call(directory, `/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '${admin}'`))
        .status,
    ).toBe(200);
    const roleMgmt = await token(['RoleManagement.Read.Directory']);
    expect(
      (
        await call(
          roleMgmt,
          `/v1.0/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '${admin}'`,
        )
      ).status,
    ).toBe(200);
    const userRw = await token(['User.ReadWrite.All']);
    expect(
      (await call(userRw, `/v1.0/users/${DEMO_USERS.plain}/revokeSignInSessions`, { method: 'POST' })).status,
    ).toBe(200);
  });

  it('app role assignments change the roles of tokens issued afterwards (contracts §1)', async () => {
    const deployer = await emu.clientToken(DEMO_APPS.deployer, 'https://graph.microsoft.com/.default');
    const h = { authorization: `Bearer ${deployer}`, 'content-type': 'application/json' };
    const graphSp = (
      (await (
        await fetch(`${emu.url}/v1.0/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'`, {
          headers: h,
        })
      ).json()) as {
        value: {
          id: string;
          appRoles: { id: string; value: string; allowedMemberTypes: string[]; isEnabled: boolean }[];
        }[];
      }
    ).value[0];
    const perm = graphSp.appRoles.find((r) => r.value === 'Directory.Read.All')!;
    expect(perm).toMatchObject({
      id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
    });
    const readerSp = (
      (await (
        await fetch(`${emu.url}/v1.0/servicePrincipals?$filter=appId eq '${DEMO_APPS.reader.appId}'`, { headers: h })
      ).json()) as {
        value: { id: string }[];
      }
    ).value[0];
    const before = JSON.parse(
      Buffer.from(
        (await emu.clientToken(DEMO_APPS.reader, 'https://graph.microsoft.com/.default')).split('.')[1],
        'base64url',
      ).toString(),
    ) as { roles?: string[] };
    expect(before.roles).toBeUndefined();
    const post = (body: unknown): Promise<Response> =>
      fetch(`${emu.url}/v1.0/servicePrincipals/${readerSp.id}/appRoleAssignments`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify(body),
      });
    const created = await post({ principalId: readerSp.id, resourceId: graphSp.id, appRoleId: perm.id });
    expect(created.status).toBe(201);
    const assignment = (await created.json()) as {
      id: string;
      principalId: string;
      resourceId: string;
      appRoleId: string;
      createdDateTime: string;
    };
    expect(assignment).toMatchObject({
      principalId: readerSp.id,
      resourceId: graphSp.id,
      appRoleId: perm.id,
      resourceDisplayName: 'Microsoft Graph',
    });
    const dup = await post({ principalId: readerSp.id, resourceId: graphSp.id, appRoleId: perm.id });
    await expectError(dup, 400, 'Request_BadRequest', /^Permission being assigned already exists on the object\.$/);
    await expectError(
      await post({
        principalId: readerSp.id,
        resourceId: graphSp.id,
        appRoleId: '00000000-0000-0000-0000-000000000000',
      }),
      400,
      'Request_BadRequest',
    );
    const after = await emu.clientToken(DEMO_APPS.reader, 'https://graph.microsoft.com/.default');
    expect(JSON.parse(Buffer.from(after.split('.')[1], 'base64url').toString())).toMatchObject({
      roles: ['Directory.Read.All'],
    });
    expect((await call(after, `/v1.0/users/${DEMO_USERS.plain}`)).status).toBe(200);
    const list = (await (
      await fetch(`${emu.url}/v1.0/servicePrincipals/${readerSp.id}/appRoleAssignments`, { headers: h })
    ).json()) as {
      value: { id: string; resourceId: string }[];
    };
    expect(list.value.filter((a) => a.resourceId === graphSp.id).map((a) => a.id)).toEqual([assignment.id]);
    expect(list.value).toHaveLength(2); // plus the fixture's Resets.Read on the API
    const del = await fetch(`${emu.url}/v1.0/servicePrincipals/${readerSp.id}/appRoleAssignments/${assignment.id}`, {
      method: 'DELETE',
      headers: h,
    });
    expect(del.status).toBe(204);
    const reissued = await emu.clientToken(DEMO_APPS.reader, 'https://graph.microsoft.com/.default');
    expect(JSON.parse(Buffer.from(reissued.split('.')[1], 'base64url').toString())).not.toHaveProperty('roles');
    // Writes need AppRoleAssignment.ReadWrite.All.
    const reader = await emu.clientToken(DEMO_APPS.graphReader, 'https://graph.microsoft.com/.default');
    const forbidden = await fetch(`${emu.url}/v1.0/servicePrincipals/${readerSp.id}/appRoleAssignments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: JSON.stringify({ principalId: readerSp.id, resourceId: graphSp.id, appRoleId: perm.id }),
    });
    await expectError(forbidden, 403, 'Authorization_RequestDenied');
  });
});
