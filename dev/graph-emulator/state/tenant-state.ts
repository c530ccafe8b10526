/** The emulated tenant in memory, indexed for O(1) lookups: users by id and lower-cased UPN, roles by principal. */
import { guidFrom } from '../ids.js';
import type { FixtureMethod, FixtureUser, PreferredMethod, TenantFixture } from '../types.js';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from '../types.js';
import type { MethodKind } from './method-types.js';
import { KIND_BY_TYPE, PHONE_IDS } from './method-types.js';
import { ServicePrincipals } from './service-principals.js';

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
  roles: string[];
  eligibleRoles: string[];
  groups: string[];
  hiddenBlockingMethods: boolean;
  perUserMfaState: 'disabled' | 'enabled' | 'enforced';
  signInSessionsValidFromDateTime: string;
}

export interface GroupState {
  id: string;
  displayName: string;
  groups: string[];
  roles: string[];
}

export interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: '/';
}

export interface EligibilityInstance {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: '/';
  appScopeId: null;
  startDateTime: string;
  endDateTime: null;
  memberType: 'Direct';
  roleEligibilityScheduleId: string;
}

/** Display names of the well-known role templates (research §5.4); others are shown by id. */
export const ROLE_NAMES: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '0526716b-113d-4c15-b2c8-68e3c22b9f80': 'Authentication Policy Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'Security Administrator',
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': 'Global Reader',
};

const FIXTURE_EPOCH = '2024-01-15T09:00:00Z';

function storeMethod(m: FixtureMethod): StoredMethod {
  const kind = KIND_BY_TYPE.get(m['@odata.type']);
  if (!kind) throw new Error(`unknown method type ${m['@odata.type']}`);
  return { kind, data: structuredClone(m) };
}

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
    mail: u.mail ?? null,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? null,
    createdDateTime: FIXTURE_EPOCH,
    passwordCreatedDateTime: FIXTURE_EPOCH,
    methods: new Map((u.methods ?? []).map((m) => [m.id, storeMethod(m)])),
    tombstones: [],
    preferredMethod: u.preferredMethod ?? null,
    isSystemPreferredAuthenticationMethodEnabled: u.isSystemPreferredAuthenticationMethodEnabled ?? false,
    roles: [...(u.roles ?? [])],
    eligibleRoles: [...(u.eligibleRoles ?? [])],
    groups: [...(u.groups ?? [])],
    hiddenBlockingMethods: u.hiddenBlockingMethods ?? false,
    perUserMfaState: u.perUserMfaState ?? 'disabled',
    signInSessionsValidFromDateTime: FIXTURE_EPOCH,
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
  readonly roleAssignmentsByPrincipal = new Map<string, RoleAssignment[]>();
  readonly eligibilityByPrincipal = new Map<string, EligibilityInstance[]>();
  readonly secrets = new Map<string, string | undefined>();
  readonly servicePrincipals: ServicePrincipals;

  constructor(fixture: TenantFixture) {
    this.tenantId = fixture.tenantId.toLowerCase();
    this.apiAppId = fixture.apiAppId.toLowerCase();
    this.managedIdentityAppId = fixture.managedIdentityAppId.toLowerCase();
    const n = fixture.users.length;
    this.size = fixture.size ?? (n < 50 ? 'S' : n <= 500 ? 'M' : 'L');
    this.domain = fixture.domain ?? fixture.users[0]?.userPrincipalName.split('@')[1] ?? 'contoso.example';
    for (const g of fixture.groups ?? []) {
      this.groups.set(g.id.toLowerCase(), {
        id: g.id.toLowerCase(),
        displayName: g.displayName,
        groups: (g.groups ?? []).map((x) => x.toLowerCase()),
        roles: [...(g.roles ?? [])],
      });
    }
    for (const u of fixture.users) this.putUser(createUserState(u));
    for (const g of this.groups.values()) for (const role of g.roles) this.addAssignment(g.id, role);
    this.servicePrincipals = new ServicePrincipals(this.tenantId, fixture, this.apiAppId);
    for (const app of fixture.apps) this.secrets.set(app.appId.toLowerCase(), app.clientSecret);
  }

  /** Adds or replaces a user, keeping every index consistent. */
  putUser(user: UserState): void {
    const old = this.users.get(user.id);
    if (old) this.removeUser(old);
    this.users.set(user.id, user);
    this.usersByUpn.set(user.userPrincipalName.toLowerCase(), user);
    for (const role of user.roles) this.addAssignment(user.id, role);
    const instances = user.eligibleRoles.map((role) => ({
      id: guidFrom(this.tenantId, 'eligibility', user.id, role),
      principalId: user.id,
      roleDefinitionId: role,
      directoryScopeId: '/' as const,
      appScopeId: null,
      startDateTime: '2024-02-01T08:00:00Z',
      endDateTime: null,
      memberType: 'Direct' as const,
      roleEligibilityScheduleId: guidFrom(this.tenantId, 'eligibility-schedule', user.id, role),
    }));
    if (instances.length) this.eligibilityByPrincipal.set(user.id, instances);
  }

  private removeUser(user: UserState): void {
    this.users.delete(user.id);
    this.usersByUpn.delete(user.userPrincipalName.toLowerCase());
    this.roleAssignmentsByPrincipal.delete(user.id);
    this.eligibilityByPrincipal.delete(user.id);
  }

  private addAssignment(principalId: string, role: string): void {
    const list = this.roleAssignmentsByPrincipal.get(principalId) ?? [];
    list.push({
      id: guidFrom(this.tenantId, 'role-assignment', principalId, role),
      principalId,
      roleDefinitionId: role,
      directoryScopeId: '/',
    });
    this.roleAssignmentsByPrincipal.set(principalId, list);
  }

  /** By object id (GUID) or UPN; case-insensitive. */
  findUser(key: string): UserState | undefined {
    return key.includes('@') ? this.usersByUpn.get(key.toLowerCase()) : this.users.get(key.toLowerCase());
  }

  /** Every group the user is in, directly or through nested groups. */
  transitiveGroups(user: UserState): GroupState[] {
    const seen = new Set<string>();
    const out: GroupState[] = [];
    const queue = [...user.groups];
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

  /** Active roles held directly or through role-assignable groups (role template ids, unique). */
  activeRoles(user: UserState, groups = this.transitiveGroups(user)): string[] {
    return [...new Set([...user.roles, ...groups.flatMap((g) => g.roles)])];
  }

  directoryRoleObject(templateId: string): Record<string, unknown> {
    return {
      '@odata.type': '#microsoft.graph.directoryRole',
      id: guidFrom(this.tenantId, 'directory-role', templateId),
      deletedDateTime: null,
      description: null,
      displayName: ROLE_NAMES[templateId] ?? `Role ${templateId}`,
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
    return undefined;
  }
}
