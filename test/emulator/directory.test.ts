import type { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_USERS, ROLE } from '../../dev/graph-emulator/index.js';
import { createTestGraphClient, startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

type Page = { '@odata.context': string; '@odata.nextLink'?: string; value: Record<string, unknown>[] };

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (err) {
    return err as GraphError;
  }
  throw new Error('expected the Graph call to fail');
}

describe('users, sessions, roles and memberships', () => {
  let emu: TestEmulator;
  let client: Client;
  const idOf = async (upn: string): Promise<string> => (await emu.user(upn)).id;

  beforeAll(async () => {
    emu = await startTestEmulator();
    client = createTestGraphClient(emu);
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('gets a user by UPN or id, with $select exposing accountEnabled and userType', async () => {
    const byUpn = (await client
      .api(`/users/${DEMO_USERS.disabled}`)
      .select('id,userPrincipalName,accountEnabled,userType,onPremisesSyncEnabled')
      .get()) as Record<string, unknown>;
    expect(byUpn).toEqual({
      '@odata.context': `${emu.url}/v1.0/$metadata#users(id,userPrincipalName,accountEnabled,userType,onPremisesSyncEnabled)/$entity`,
      id: await idOf(DEMO_USERS.disabled),
      userPrincipalName: DEMO_USERS.disabled,
      accountEnabled: false,
      userType: 'Member',
      onPremisesSyncEnabled: null,
    });
    const plain = (await client.api(`/users/${await idOf(DEMO_USERS.plain)}`).get()) as Record<string, unknown>;
    expect(plain).toHaveProperty('userPrincipalName', DEMO_USERS.plain);
    expect(plain).not.toHaveProperty('accountEnabled');
    expect(plain['@odata.context']).toBe(`${emu.url}/v1.0/$metadata#users/$entity`);
    const guest = (await client
      .api(`/users/${encodeURIComponent(DEMO_USERS.guest)}`)
      .select('userType')
      .get()) as Record<string, unknown>;
    expect(guest.userType).toBe('Guest');
    const synced = (await client.api(`/users/${DEMO_USERS.synced}`).select('onPremisesSyncEnabled').get()) as Record<
      string,
      unknown
    >;
    expect(synced.onPremisesSyncEnabled).toBe(true);
    const upper = (await client.api(`/users/${DEMO_USERS.plain.toUpperCase()}`).select('id').get()) as Record<
      string,
      unknown
    >;
    expect(upper.id).toBe(plain.id);
    const bad = await graphError(client.api(`/users/${DEMO_USERS.plain}`).select('id,shoeSize').get());
    expect(bad).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
    const missing = await graphError(client.api('/users/00000000-0000-0000-0000-000000000000').get());
    expect(missing).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });

  it('revokes sign-in sessions: 200 {"value":true}', async () => {
    const before = (await emu.user(DEMO_USERS.plain)).signInSessionsValidFromDateTime;
    const res = (await client.api(`/users/${DEMO_USERS.plain}/revokeSignInSessions`).post({})) as Record<
      string,
      unknown
    >;
    expect(res).toEqual({ '@odata.context': `${emu.url}/v1.0/$metadata#Edm.Boolean`, value: true });
    expect((await emu.user(DEMO_USERS.plain)).signInSessionsValidFromDateTime).not.toBe(before);
    const missing = await graphError(client.api('/users/nobody@contoso.example/revokeSignInSessions').post({}));
    expect(missing.statusCode).toBe(404);
  });

  it('filters active role assignments and PIM eligibility by principalId', async () => {
    const admin = await idOf(DEMO_USERS.globalAdmin);
    const ra = (await client
      .api('/roleManagement/directory/roleAssignments')
      .filter(`principalId eq '${admin}'`)
      .get()) as Page;
    expect(ra.value).toEqual([
      expect.objectContaining({
        principalId: admin,
        roleDefinitionId: ROLE.globalAdministrator,
        directoryScopeId: '/',
      }),
    ]);
    expect(
      (
        (await client
          .api('/roleManagement/directory/roleAssignments')
          .filter(`principalId eq '${await idOf(DEMO_USERS.pimGlobalAdmin)}'`)
          .get()) as Page
      ).value,
    ).toEqual([]);
    const pim = await idOf(DEMO_USERS.pimGlobalAdmin);
    const el = (await client
      .api('/roleManagement/directory/roleEligibilityScheduleInstances')
      .filter(`principalId eq '${pim}'`)
      .get()) as Page;
    expect(el.value).toEqual([
      expect.objectContaining({
        principalId: pim,
        roleDefinitionId: ROLE.globalAdministrator,
        memberType: 'Direct',
        directoryScopeId: '/',
      }),
    ]);
    // A role held through a role-assignable group is assigned to the group.
    const byGroup = (await client
      .api('/roleManagement/directory/roleAssignments')
      .filter(`principalId eq '${DEMO_GROUPS.helpdeskAdmins}'`)
      .expand('roleDefinition')
      .get()) as Page;
    expect(byGroup.value[0]).toMatchObject({
      roleDefinitionId: ROLE.helpdeskAdministrator,
      roleDefinition: { displayName: 'Helpdesk Administrator' },
    });
    const badFilter = await graphError(
      client.api('/roleManagement/directory/roleAssignments').filter("principalId eq 'x' or 1 eq 1").get(),
    );
    expect(badFilter).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
  });

  // A cast needs the advanced query parameters (user-list-transitivememberof.md, request headers).
  it('lists transitive memberships: directory roles (directly and via groups) and nested groups', async () => {
    const admin = (await client
      .api(`/users/${DEMO_USERS.globalAdmin}/transitiveMemberOf/microsoft.graph.directoryRole`)
      .header('ConsistencyLevel', 'eventual')
      .count(true)
      .get()) as Page;
    expect(admin.value).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.directoryRole',
        roleTemplateId: ROLE.globalAdministrator,
        displayName: 'Global Administrator',
      }),
    ]);
    const helpdesk = (await client
      .api(`/users/${DEMO_USERS.groupRoleHelpdesk}/transitiveMemberOf/microsoft.graph.directoryRole`)
      .header('ConsistencyLevel', 'eventual')
      .count(true)
      .get()) as Page;
    expect(helpdesk.value.map((r) => r.roleTemplateId)).toEqual([ROLE.helpdeskAdministrator]);
    const pim = (await client
      .api(`/users/${DEMO_USERS.pimGlobalAdmin}/transitiveMemberOf/microsoft.graph.directoryRole`)
      .header('ConsistencyLevel', 'eventual')
      .count(true)
      .get()) as Page;
    expect(pim.value).toEqual([]);
    const exec = (await client.api(`/users/${DEMO_USERS.nestedProtected}/transitiveMemberOf`).get()) as Page;
    const ids = exec.value.map((g) => g.id);
    expect(ids).toEqual(expect.arrayContaining([DEMO_GROUPS.executives, DEMO_GROUPS.protected]));
    const direct = (await client.api(`/users/${DEMO_USERS.nestedProtected}/memberOf`).get()) as Page;
    expect(direct.value.map((g) => g.id)).not.toContain(DEMO_GROUPS.protected);
    const bad = await graphError(
      client.api(`/users/${DEMO_USERS.plain}/transitiveMemberOf/microsoft.graph.user`).get(),
    );
    expect(bad.statusCode).toBe(400);
  });

  it('pages transitiveMemberOf at 100 by default through @odata.nextLink', async () => {
    const seen: string[] = [];
    let page = (await client.api(`/users/${DEMO_USERS.manyGroups}/transitiveMemberOf`).get()) as Page;
    const sizes = [page.value.length];
    seen.push(...page.value.map((g) => g.id as string));
    while (page['@odata.nextLink']) {
      expect(page['@odata.nextLink'].startsWith(`${emu.url}/v1.0/`)).toBe(true);
      page = (await client.api(page['@odata.nextLink']).get()) as Page;
      sizes.push(page.value.length);
      seen.push(...page.value.map((g) => g.id as string));
    }
    expect(sizes).toEqual([100, 51]);
    expect(new Set(seen).size).toBe(151);
    const small = (await client.api(`/users/${DEMO_USERS.manyGroups}/transitiveMemberOf`).top(60).get()) as Page;
    expect(small.value).toHaveLength(60);
    expect(small['@odata.nextLink']).toContain('$top=60');
  });
});
