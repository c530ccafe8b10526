/** The emulated tenant in memory, indexed for O(1) lookups: users by id and lower-cased UPN, roles by principal. */
import { guidFrom } from '../ids.js';
import type {
  FixtureGroup,
  FixtureGroupAccess,
  FixtureMethod,
  FixtureRoleGrant,
  FixtureUser,
  PreferredMethod,
  TenantFixture,
} from '../types.js';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from '../types.js';
import type { PublicClientState } from './delegated-permissions.js';
import { indexPublicClients } from './delegated-permissions.js';
import type { MethodKind } from './method-types.js';
import { KIND_BY_TYPE, PHONE_IDS } from './method-types.js';
import type { PrincipalGrants } from './privilege-index.js';
import { grantsFrom, PrivilegeIndex } from './privilege-index.js';
import type { RoleDefinitionState } from './role-catalogue.js';
import { BUILT_IN_ROLES, builtInRole } from './role-catalogue.js';
import { Applications } from './applications.js';
import { ServicePrincipals } from './service-principals.js';
import { defaultTapPolicy, patchTapPolicy, type TapPolicy } from './tap-policy.js';

export interface StoredMethod {
  kind: MethodKind;
  data: FixtureMethod;
}

export interface UserState {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  /** Signs in through its home tenant (B2B): revokeSignInSessions has no effect (user-revokesigninsessions.md). */
  external: boolean;
  mail: string | null;
  onPremisesSyncEnabled: boolean | null;
  createdDateTime: string;
  passwordCreatedDateTime: string;
  /** Insertion-ordered; the password method is implicit (always present). */
  methods: Map<string, StoredMethod>;
  /** Deleted methods still listed until `until` (staleReadsMs knob). */
  tombstones: { method: StoredMethod; until: number }[];
  preferredMethod: PreferredMethod | null;
  isSystemPreferredAuthenticationMethodEnabled: boolean;
  /** Active role assignments (any scope), the tenant-scope shorthand included. */
  roleGrants: FixtureRoleGrant[];
  /** PIM role eligibilities (any scope). */
  eligibleGrants: FixtureRoleGrant[];
  /** Direct memberships from the fixture (PIM active member assignments are added on read). */
  groups: string[];
  ownerOf: string[];
  groupAssignments: FixtureGroupAccess[];
  groupEligibilities: FixtureGroupAccess[];
  hiddenBlockingMethods: boolean;
  perUserMfaState: 'disabled' | 'enabled' | 'enforced';
  signInSessionsValidFromDateTime: string;
  /** App roles of the service's API assigned to the user (delegated tokens' `roles`, with the groups'). */
  appRoles: string[];
}

export interface GroupState {
  id: string;
  displayName: string;
  /** Parent groups (this group is a member of them). */
  groups: string[];
  isAssignableToRole: boolean;
  roleGrants: FixtureRoleGrant[];
  eligibleGrants: FixtureRoleGrant[];
  groupEligibilities: FixtureGroupAccess[];
  /** App roles of the service's API assigned to the group. */
  appRoles: string[];
}

const FIXTURE_EPOCH = '2024-01-15T09:00:00Z';

function storeMethod(m: FixtureMethod): StoredMethod {
  const kind = KIND_BY_TYPE.get(m['@odata.type']);
  if (!kind) throw new Error(`unknown method type ${m['@odata.type']}`);
  return { kind, data: structuredClone(m) };
}

const access = (list: readonly FixtureGroupAccess[] | undefined): FixtureGroupAccess[] =>
  (list ?? []).map((a) => ({ groupId: a.groupId.toLowerCase(), accessId: a.accessId }));

/** Documented default: a group is role-assignable only if created so; fixtures imply it from the roles it holds. */
export function createGroupState(g: FixtureGroup): GroupState {
  const roleGrants = grantsFrom(g.roles, g.roleAssignments);
  const eligibleGrants = grantsFrom(g.eligibleRoles, g.roleEligibilities);
  return {
    id: g.id.toLowerCase(),
    displayName: g.displayName,
    groups: (g.groups ?? []).map((x) => x.toLowerCase()),
    isAssignableToRole: g.isAssignableToRole ?? roleGrants.length + eligibleGrants.length > 0,
    roleGrants,
    eligibleGrants,
    groupEligibilities: access(g.groupEligibilities),
    appRoles: [...(g.appRoles ?? [])],
  };
}

const grantsOf = (p: UserState | GroupState): PrincipalGrants => ({
  roles: p.roleGrants,
  eligibleRoles: p.eligibleGrants,
  groupAssignments: 'groupAssignments' in p ? p.groupAssignments : [],
  groupEligibilities: p.groupEligibilities,
});

export function createUserState(u: FixtureUser): UserState {
  const [given, ...rest] = u.displayName.split(' ');
  return {
    id: u.id.toLowerCase(),
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    givenName: given ?? null,
    surname: rest.length ? rest.join(' ') : null,
    accountEnabled: u.accountEnabled ?? true,
    userType: u.userType ?? 'Member',
    external: u.external ?? u.userPrincipalName.toUpperCase().includes('#EXT#'),
    mail: u.mail ?? null,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? null,
    createdDateTime: FIXTURE_EPOCH,
    passwordCreatedDateTime: FIXTURE_EPOCH,
    methods: new Map((u.methods ?? []).map((m) => [m.id, storeMethod(m)])),
    tombstones: [],
    preferredMethod: u.preferredMethod ?? null,
    isSystemPreferredAuthenticationMethodEnabled: u.isSystemPreferredAuthenticationMethodEnabled ?? false,
    roleGrants: grantsFrom(u.roles, u.roleAssignments),
    eligibleGrants: grantsFrom(u.eligibleRoles, u.roleEligibilities),
    groups: (u.groups ?? []).map((g) => g.toLowerCase()),
    ownerOf: (u.ownerOf ?? []).map((g) => g.toLowerCase()),
    groupAssignments: access(u.groupAssignments),
    groupEligibilities: access(u.groupEligibilities),
    hiddenBlockingMethods: u.hiddenBlockingMethods ?? false,
    perUserMfaState: u.perUserMfaState ?? 'disabled',
    signInSessionsValidFromDateTime: FIXTURE_EPOCH,
    appRoles: [...(u.appRoles ?? [])],
  };
}

export class TenantState {
  readonly tenantId: string;
  readonly apiAppId: string;
  readonly managedIdentityAppId: string;
  readonly size: 'S' | 'M' | 'L';
  readonly domain: string;
  readonly users = new Map<string, UserState>();
  readonly usersByUpn = new Map<string, UserState>();
  readonly groups = new Map<string, GroupState>();
  /** Custom role definitions from the fixture; built-in ones come from the catalogue. */
  readonly customRoles = new Map<string, RoleDefinitionState>();
  readonly administrativeUnits = new Map<string, { id: string; displayName: string }>();
  readonly privilege: PrivilegeIndex;
  readonly secrets = new Map<string, string | undefined>();
  readonly servicePrincipals: ServicePrincipals;
  /** App registrations created through Graph (npm run setup-entra); the fixture's apps have none. */
  readonly applications: Applications;
  /** Public clients people sign in to (device code flow), with their delegated permissions. */
  readonly publicClients: Map<string, PublicClientState>;
  /** The Temporary Access Pass policy (tests change it through the control API). */
  tapPolicy: TapPolicy;

  constructor(fixture: TenantFixture) {
    this.tenantId = fixture.tenantId.toLowerCase();
    this.apiAppId = fixture.apiAppId.toLowerCase();
    this.managedIdentityAppId = fixture.managedIdentityAppId.toLowerCase();
    this.privilege = new PrivilegeIndex(this.tenantId);
    const n = fixture.users.length;
    this.size = fixture.size ?? (n < 50 ? 'S' : n <= 500 ? 'M' : 'L');
    this.domain = fixture.domain ?? fixture.users[0]?.userPrincipalName.split('@')[1] ?? 'contoso.example';
    for (const r of fixture.roleDefinitions ?? []) {
      const id = r.id.toLowerCase();
      this.customRoles.set(id, {
        id,
        displayName: r.displayName,
        description: r.description ?? null,
        isBuiltIn: false,
        isEnabled: true,
        templateId: id,
        version: null,
        resourceScopes: ['/'],
        rolePermissions: [{ allowedResourceActions: [...(r.allowedResourceActions ?? [])], condition: null }],
      });
    }
    for (const au of fixture.administrativeUnits ?? []) {
      this.administrativeUnits.set(au.id.toLowerCase(), { id: au.id.toLowerCase(), displayName: au.displayName });
    }
    for (const g of fixture.groups ?? []) {
      const group = createGroupState(g);
      this.groups.set(group.id, group);
      this.privilege.add(group.id, grantsOf(group));
    }
    for (const u of fixture.users) this.putUser(createUserState(u));
    this.servicePrincipals = new ServicePrincipals(this.tenantId, fixture, this.apiAppId);
    this.applications = new Applications(this.tenantId);
    this.tapPolicy = patchTapPolicy(defaultTapPolicy(), fixture.tapPolicy ?? {});
    for (const app of fixture.apps) this.secrets.set(app.appId.toLowerCase(), app.clientSecret);
    this.publicClients = indexPublicClients(fixture.publicClients ?? [], this.apiAppId);
  }

  /** Adds or replaces a user, keeping every index consistent. */
  putUser(user: UserState): void {
    const old = this.users.get(user.id);
    if (old) this.removeUser(old);
    this.users.set(user.id, user);
    this.usersByUpn.set(user.userPrincipalName.toLowerCase(), user);
    this.privilege.add(user.id, grantsOf(user));
  }

  private removeUser(user: UserState): void {
    this.users.delete(user.id);
    this.usersByUpn.delete(user.userPrincipalName.toLowerCase());
    this.privilege.remove(user.id);
  }

  /** By object id (GUID) or UPN; case-insensitive. */
  findUser(key: string): UserState | undefined {
    return key.includes('@') ? this.usersByUpn.get(key.toLowerCase()) : this.users.get(key.toLowerCase());
  }

  /** A role definition by id: custom from the fixture, else the built-in catalogue (unknown ids get a generic name). */
  roleDefinition(id: string): RoleDefinitionState {
    return this.customRoles.get(id.toLowerCase()) ?? builtInRole(id.toLowerCase());
  }

  /** Built-in catalogue ids plus any other non-custom role id a principal holds (shown as built-in). */
  builtInRoleIds(): string[] {
    const ids = new Set(Object.keys(BUILT_IN_ROLES));
    for (const r of [...this.privilege.assignments.all(), ...this.privilege.eligibilities.all()]) {
      if (!this.customRoles.has(r.roleDefinitionId)) ids.add(r.roleDefinitionId);
    }
    return [...ids];
  }

  /** Direct memberships: the fixture's plus active PIM for Groups member assignments (they are real memberships). */
  directGroupIds(user: UserState): string[] {
    const pim = user.groupAssignments.filter((a) => a.accessId === 'member').map((a) => a.groupId);
    return [...new Set([...user.groups, ...pim])];
  }

  /** Every group the user is in, directly or through nested groups (active memberships only). */
  transitiveGroups(user: UserState): GroupState[] {
    return this.closure(this.directGroupIds(user));
  }

  /** The groups in `start` and every group they are nested in. */
  closure(start: readonly string[]): GroupState[] {
    const seen = new Set<string>();
    const out: GroupState[] = [];
    const queue = [...start];
    while (queue.length) {
      const id = (queue.shift() as string).toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      const g = this.groups.get(id);
      if (!g) continue;
      out.push(g);
      queue.push(...g.groups);
    }
    return out;
  }

  /** Groups the user owns: fixture ownership plus active PIM for Groups owner assignments. */
  ownedGroups(user: UserState): GroupState[] {
    const pim = user.groupAssignments.filter((a) => a.accessId === 'owner').map((a) => a.groupId);
    return [...new Set([...user.ownerOf, ...pim])]
      .map((id) => this.groups.get(id))
      .filter((g): g is GroupState => g !== undefined);
  }

  /** Direct members of a group: users and groups (nesting). Scans the tenant: the emulator's sizes allow it. */
  groupMembers(groupId: string): { users: UserState[]; groups: GroupState[] } {
    const id = groupId.toLowerCase();
    const users = [...this.users.values()].filter((u) => this.directGroupIds(u).includes(id));
    const groups = [...this.groups.values()].filter((g) => g.groups.includes(id));
    return { users, groups };
  }

  /**
   * Built-in roles the user holds as legacy directoryRole members: active, at tenant scope, directly or through a
   * group. Custom roles and scoped or eligible assignments have no directoryRole membership.
   */
  directoryRoleTemplates(user: UserState, groups = this.transitiveGroups(user)): string[] {
    const out = new Set<string>();
    for (const principal of [user.id, ...groups.map((g) => g.id)]) {
      for (const a of this.privilege.assignments.get(principal)) {
        if (a.directoryScopeId === '/' && this.roleDefinition(a.roleDefinitionId).isBuiltIn)
          out.add(a.roleDefinitionId);
      }
    }
    return [...out];
  }

  directoryRoleObject(templateId: string): Record<string, unknown> {
    return {
      '@odata.type': '#microsoft.graph.directoryRole',
      id: guidFrom(this.tenantId, 'directory-role', templateId),
      deletedDateTime: null,
      description: null,
      displayName: this.roleDefinition(templateId).displayName,
      roleTemplateId: templateId,
    };
  }

  /** Id of the method signInPreferences designates as default, if the user has it. */
  defaultMethodId(user: UserState): string | undefined {
    const first = (name: string): string | undefined => {
      for (const m of user.methods.values()) if (m.kind.name === name) return m.data.id;
      return undefined;
    };
    const phone = (id: string): string | undefined => (user.methods.has(id) ? id : undefined);
    switch (user.preferredMethod) {
      case 'push':
        return first('microsoftAuthenticator');
      case 'oath':
        return first('softwareOath') ?? first('hardwareOath');
      case 'sms':
      case 'voiceMobile':
        return phone(PHONE_IDS.mobile);
      case 'voiceAlternateMobile':
        return phone(PHONE_IDS.alternateMobile);
      case 'voiceOffice':
        return phone(PHONE_IDS.office);
      default:
        return undefined;
    }
  }

  /** Resolves a token audience to the resource's app id (Graph, or the service's API). */
  audienceAppId(audience: string): string | undefined {
    const a = audience.toLowerCase().replace(/\/$/, '');
    if (a === GRAPH_AUDIENCE || a === GRAPH_APP_ID) return GRAPH_APP_ID;
    if (a === this.apiAppId || a === `api://${this.apiAppId}`) return this.apiAppId;
    // A registration made through Graph is a token audience once it has a service principal (AADSTS500011 before).
    const app = this.applications.byAudience(a);
    return app && this.servicePrincipals.byAppId.has(app.appId) ? app.appId : undefined;
  }
}
