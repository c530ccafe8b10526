// A small tenant for the engine's integration tests: the worker's managed identity with the worker permissions, a
// read-only app (for the missing-permission test) and users built per test with the emulator's method factories.
import { ClientSecretCredential } from '@azure/identity';
import {
  authenticator,
  email,
  externalMethod,
  fido2,
  hardwareOath,
  phone,
  platformCredential,
  qrCodePin,
  softwareOath,
  temporaryAccessPass,
  windowsHello,
} from '../../../dev/graph-emulator/fixtures/method-factory.js';
import type { FixtureMethod, FixtureUser, TenantFixture } from '../../../dev/graph-emulator/index.js';
import { GRAPH_AUDIENCE } from '../../../dev/graph-emulator/index.js';
import { guidFrom } from '../../../dev/graph-emulator/ids.js';
import { workerGraphPermissions } from '../../../src/lib/graph/graph-permissions.js';
import type { TestEmulator } from '../../support/emulator.js';

export const tenantId = guidFrom('engine-tests', 'tenant');
export const managedIdentityAppId = guidFrom('engine-tests', 'mi');
export const readerApp = { appId: guidFrom('engine-tests', 'reader'), clientSecret: 'reader-secret' };

export const workerPermissions: string[] = [...workerGraphPermissions];

export const roles = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
};

export const groups = {
  protected: guidFrom('engine-tests', 'group', 'protected'),
  nested: guidFrom('engine-tests', 'group', 'nested'),
  roleAssignable: guidFrom('engine-tests', 'group', 'role-assignable'),
  ordinary: guidFrom('engine-tests', 'group', 'ordinary'),
};

export const userId = (name: string): string => guidFrom('engine-tests', 'user', name);
export const upn = (name: string): string => `${name}@engine.example`;

export function user(name: string, methods: FixtureMethod[], extra: Partial<FixtureUser> = {}): FixtureUser {
  return { id: userId(name), userPrincipalName: upn(name), displayName: name, methods, ...extra };
}

/** Every method type the catalogue knows, for one user. */
export function everyMethod(name: string): FixtureMethod[] {
  const id = userId(name);
  return [
    phone('mobile', 1),
    phone('alternateMobile', 2),
    phone('office', 3),
    email(`${name}@mail.example`),
    authenticator(id, 'Pixel 8'),
    fido2(id, 'deviceBound'),
    fido2(id, 'synced', 1),
    softwareOath(id),
    hardwareOath(id, 1001),
    temporaryAccessPass(id),
    windowsHello(id, 'LAPTOP-1'),
    platformCredential(id),
    externalMethod(id),
    qrCodePin(id),
  ];
}

export function engineTenant(users: FixtureUser[]): TenantFixture {
  return {
    tenantId,
    domain: 'engine.example',
    users,
    groups: [
      { id: groups.protected, displayName: 'Protected' },
      { id: groups.nested, displayName: 'Nested in protected', groups: [groups.protected] },
      { id: groups.roleAssignable, displayName: 'Helpdesk admins', roles: [roles.helpdeskAdministrator] },
      { id: groups.ordinary, displayName: 'Ordinary' },
    ],
    apps: [
      { appId: managedIdentityAppId, displayName: 'worker identity', roles: { [GRAPH_AUDIENCE]: workerPermissions } },
      {
        ...readerApp,
        displayName: 'read-only worker',
        roles: { [GRAPH_AUDIENCE]: ['UserAuthenticationMethod.Read.All', 'User.Read.All'] },
      },
    ],
    managedIdentityAppId,
    apiAppId: guidFrom('engine-tests', 'api'),
  };
}

/** A real @azure/identity credential for an app registration of the emulator's tenant (client secret). */
export function appCredential(emulator: TestEmulator, app: { appId: string; clientSecret: string }) {
  return new ClientSecretCredential(emulator.env.AUTH_TENANT_ID, app.appId, app.clientSecret, {
    authorityHost: emulator.env.AUTHORITY_HOST,
    disableInstanceDiscovery: true,
  });
}

/** Paths a reset may use, per DESIGN §4 and research §2.1 (after the version segment, user id as {id}). */
export const documentedPaths: readonly RegExp[] = [
  /^\/v1\.0\/users\/[^/]+\?\$select=id,userPrincipalName,accountEnabled,userType,externalUserState$/,
  /^\/v1\.0\/users\/[^/]+\/authentication\/methods$/,
  // Listed only: Graph lets no application delete a hardware token.
  /^\/beta\/users\/[^/]+\/authentication\/hardwareOathMethods$/,
  /^\/beta\/users\/[^/]+\/authentication\/signInPreferences$/,
  /^\/v1\.0\/users\/[^/]+\/authentication\/(emailMethods|fido2Methods|windowsHelloForBusinessMethods|platformCredentialMethods|temporaryAccessPassMethods|softwareOathMethods|microsoftAuthenticatorMethods|phoneMethods)\/[^/?]+$/,
  /^\/v1\.0\/users\/[^/]+\/authentication\/externalAuthenticationMethods\/[^/?]+\/\$ref$/,
  /^\/beta\/users\/[^/]+\/authentication\/qrCodePinMethod$/,
  /^\/beta\/users\/[^/]+\/authentication\/passwordlessMicrosoftAuthenticatorMethods\/[^/?]+$/,
  /^\/v1\.0\/users\/[^/]+\/revokeSignInSessions$/,
  // The guard's reads (src/lib/graph/privilege-reads.ts).
  /^\/v1\.0\/roleManagement\/directory\/roleAssignments\?\$filter=principalId%20eq%20%27[0-9a-f-]{36}%27$/,
  /^\/v1\.0\/roleManagement\/directory\/roleEligibilityScheduleInstances\?\$filter=principalId%20eq%20%27[0-9a-f-]{36}%27$/,
  /^\/v1\.0\/users\/[^/]+\/(transitiveMemberOf|ownedObjects)\/microsoft\.graph\.group\?\$select=id,isAssignableToRole,securityEnabled&\$top=999&\$count=true(&\$skiptoken=\d+)?$/,
  /^\/v1\.0\/identityGovernance\/privilegedAccess\/group\/eligibilityScheduleInstances\?\$filter=(principalId%20eq%20%27[0-9a-f-]{36}%27|groupId%20eq%20%27[0-9a-f-]{36}%27&\$expand=principal)$/,
  /^\/v1\.0\/groups\?\$filter=isAssignableToRole%20eq%20true&\$select=id,isAssignableToRole&\$top=999$/,
  /^\/v1\.0\/groups\/[0-9a-f-]{36}\?\$select=id,isAssignableToRole,securityEnabled$/,
  /^\/v1\.0\/groups\/[0-9a-f-]{36}\/transitiveMembers\/microsoft\.graph\.group\?\$select=id&\$top=999&\$count=true$/,
];

export function undocumented(paths: readonly string[]): string[] {
  return paths.filter((p) => !documentedPaths.some((re) => re.test(p)));
}
