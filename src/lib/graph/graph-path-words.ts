// The static words of the Graph paths this service calls (and a few it may call next), for templating outgoing URLs
// in telemetry (src/lib/telemetry/url-template.ts): everything else in a path is an identifier and shows as `{id}`.
// The method types' segments come from the catalogue, so a new type is covered when it is added there.
import { graphMethodTypes } from './method-catalogue.js';

const staticWords = [
  'v1.0',
  'beta',
  '$batch',
  '$ref',
  '$count',
  '$value',
  'users',
  'me',
  'authentication',
  'methods',
  'signInPreferences',
  'revokeSignInSessions',
  'groups',
  'transitiveMembers',
  'transitiveMemberOf',
  'memberOf',
  'members',
  'owners',
  'ownedObjects',
  'directoryObjects',
  'getByIds',
  'roleManagement',
  'directory',
  'roleAssignments',
  'roleEligibilityScheduleInstances',
  'roleDefinitions',
  'identityGovernance',
  'privilegedAccess',
  'group',
  'eligibilityScheduleInstances',
  'policies',
  'authenticationMethodsPolicy',
  'authenticationMethodConfigurations',
  'temporaryAccessPass',
  'applications',
  'servicePrincipals',
  'appRoleAssignments',
  'appRoleAssignedTo',
  'oauth2PermissionGrants',
] as const;

export const graphPathWords: readonly string[] = [
  ...staticWords,
  ...Object.values(graphMethodTypes).map((t) => t.deleteSegment),
];
