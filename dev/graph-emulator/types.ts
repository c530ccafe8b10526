/** Public types of the Graph emulator: the tenant fixture format and the environment it hands to clients. */
import type { TapPolicyPatch } from './state/tap-policy.js';

/** An authentication method as Graph lists it: `@odata.type` and `id` plus the type's own properties. */
export interface FixtureMethod {
  '@odata.type': string;
  id: string;
  [property: string]: unknown;
}

export type PreferredMethod = 'push' | 'oath' | 'voiceMobile' | 'voiceAlternateMobile' | 'voiceOffice' | 'sms';

export interface FixtureUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled?: boolean; // default true
  userType?: 'Member' | 'Guest'; // default Member
  /** Signs in through another tenant (B2B): default true when the UPN contains '#EXT#'. */
  external?: boolean;
  mail?: string | null;
  onPremisesSyncEnabled?: boolean | null;
  /** Every method except the password, which every user has (fixed id). */
  methods?: FixtureMethod[];
  /** signInPreferences.userPreferredMethodForSecondaryAuthentication: the "default method". */
  preferredMethod?: PreferredMethod | null;
  isSystemPreferredAuthenticationMethodEnabled?: boolean;
  /** Active directory roles at tenant scope (role definition ids): shorthand for roleAssignments with scope '/'. */
  roles?: string[];
  /** PIM-eligible directory roles at tenant scope: shorthand for roleEligibilities with scope '/'. */
  eligibleRoles?: string[];
  /** Active role assignments at any scope (tenant, administrative unit, application), built-in or custom. */
  roleAssignments?: FixtureRoleGrant[];
  /** PIM role eligibilities at any scope. */
  roleEligibilities?: FixtureRoleGrant[];
  /** Direct group memberships (group ids; nesting comes from FixtureGroup.groups). */
  groups?: string[];
  /** Groups this user owns (not through PIM). */
  ownerOf?: string[];
  /** PIM for Groups: active (time-bound) member or owner assignments; they are also real memberships/ownerships. */
  groupAssignments?: FixtureGroupAccess[];
  /** PIM for Groups: eligible member or owner assignments (no membership until activated). */
  groupEligibilities?: FixtureGroupAccess[];
  /** Knob (research §3.1): the service counts a method it does not list, so the default can never be deleted. */
  hiddenBlockingMethods?: boolean;
  perUserMfaState?: 'disabled' | 'enabled' | 'enforced';
  /** App roles of the service's API assigned to this user (role values, e.g. Resets.Submit): delegated tokens' `roles`. */
  appRoles?: string[];
}

/** A role held at a scope: '/' (tenant), '/administrativeUnits/{id}' or '/{application object id}'. */
export interface FixtureRoleGrant {
  roleDefinitionId: string;
  /** Default '/'. */
  directoryScopeId?: string;
}

/** PIM for Groups: membership or ownership of a group. */
export interface FixtureGroupAccess {
  groupId: string;
  accessId: 'member' | 'owner';
}

export interface FixtureGroup {
  id: string;
  displayName: string;
  /** Groups this group is a member of (nesting, for transitiveMemberOf). A role-assignable group cannot be a parent. */
  groups?: string[];
  /** Default: true when the group holds or is eligible for a role, else false. Only such groups may hold roles. */
  isAssignableToRole?: boolean;
  /** Active directory roles assigned to this (role-assignable) group at tenant scope; members hold them transitively. */
  roles?: string[];
  /** PIM-eligible roles of this group at tenant scope. */
  eligibleRoles?: string[];
  roleAssignments?: FixtureRoleGrant[];
  roleEligibilities?: FixtureRoleGrant[];
  /** PIM for Groups with this group as the principal: its active members can activate into the target group. */
  groupEligibilities?: FixtureGroupAccess[];
  /** App roles of the service's API assigned to this group: its members (transitively) hold them in delegated tokens. */
  appRoles?: string[];
}

/** A custom directory role (built-in ones come from the emulator's catalogue). */
export interface FixtureRoleDefinition {
  id: string;
  displayName: string;
  description?: string;
  /** Resource actions, e.g. 'microsoft.directory/users/password/update'. */
  allowedResourceActions?: string[];
}

export interface FixtureAdministrativeUnit {
  id: string;
  displayName: string;
}

export interface FixtureApp {
  appId: string;
  displayName: string;
  /** Absent: the app cannot use client credentials (e.g. the managed identity). */
  clientSecret?: string;
  /** Service principal object id (token `oid`); derived from the appId when absent. */
  objectId?: string;
  /** Roles per audience: 'https://graph.microsoft.com' (Graph permissions) or the fixture's apiAppId (the service's app roles). */
  roles?: Record<string, string[]>;
}

/**
 * A public client people sign in to (device code flow): no secret. `delegatedPermissions` lists, per resource
 * ('https://graph.microsoft.com' or the fixture's apiAppId), the delegated permissions consented for it in the tenant
 * or pre-authorized by the resource's app registration; anything else is refused with AADSTS65001.
 */
export interface FixturePublicClient {
  appId: string;
  displayName: string;
  delegatedPermissions?: Record<string, string[]>;
}

export interface TenantFixture {
  tenantId: string;
  /** Throttling tier (research §7.3): S < 50 users, M 50–500, L > 500; derived from the user count when absent. */
  size?: 'S' | 'M' | 'L';
  /** Domain used for UPNs and e-mail addresses (informational). */
  domain?: string;
  users: FixtureUser[];
  groups?: FixtureGroup[];
  /** Custom directory roles. */
  roleDefinitions?: FixtureRoleDefinition[];
  /** Administrative units usable as '/administrativeUnits/{id}' scopes. */
  administrativeUnits?: FixtureAdministrativeUnit[];
  apps: FixtureApp[];
  /** Public clients for the device code flow (Azure CLI, Graph PowerShell…). */
  publicClients?: FixturePublicClient[];
  managedIdentityAppId: string;
  apiAppId: string;
  /** The Temporary Access Pass policy (state/tap-policy.ts); the portal's defaults when absent. */
  tapPolicy?: TapPolicyPatch;
}

/** Exactly the JSON of GET /_emulator/env. */
export interface EmulatorEnv {
  GRAPH_BASE_URL: string;
  IDENTITY_ENDPOINT: string;
  IDENTITY_HEADER: string;
  NODE_EXTRA_CA_CERTS: string;
  AUTH_TENANT_ID: string;
  AUTH_AUDIENCE: string;
  AUTH_ISSUER: string;
  AUTH_JWKS_URI: string;
  TOKEN_ENDPOINT: string;
  AUTHORITY_HOST: string;
}

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
