// What test/fidelity/graph-facts.json covers: the Graph paths the product, its scripts and the emulator touch, and
// the corrections we apply where a published API page is stricter than, or fills a gap in, the permission reference.

/** Every member of `authentication` (each method type, signInPreferences, requirements) is added by the generator. */
export const AUTHENTICATION = '/users/{id}/authentication';
/** Members of `authentication` that are not about a user's methods or sign-in state. */
export const AUTHENTICATION_SKIPPED = new Set(['operations']);

const withKey = (collection: string): string[] => [collection, `${collection}/{id}`];

/** A directory-object relationship, with `$count` and the casts Graph documents for it (each also with `$count`). */
const relationship = (path: string, casts: readonly string[]): string[] => [
  path,
  `${path}/$count`,
  ...casts.flatMap((c) => [`${path}/microsoft.graph.${c}`, `${path}/microsoft.graph.${c}/$count`]),
];
const MEMBERSHIP_CASTS = ['group', 'directoryRole', 'administrativeUnit'];

export const SCOPE_TEMPLATES: readonly string[] = [
  // The user and its memberships (reset target lookup, privileged-target checks).
  '/users/{id}',
  '/users/{id}/revokeSignInSessions',
  ...relationship('/users/{id}/memberOf', MEMBERSHIP_CASTS),
  ...relationship('/users/{id}/transitiveMemberOf', MEMBERSHIP_CASTS),
  ...relationship('/users/{id}/ownedObjects', ['application', 'group', 'servicePrincipal']),
  // Groups (protected groups, role-assignable groups and their nesting).
  ...withKey('/groups'),
  ...relationship('/groups/{id}/memberOf', ['group', 'administrativeUnit']),
  ...relationship('/groups/{id}/transitiveMemberOf', ['group', 'administrativeUnit']),
  ...relationship('/groups/{id}/members', ['user', 'group', 'servicePrincipal']),
  ...relationship('/groups/{id}/transitiveMembers', ['user', 'group', 'servicePrincipal']),
  // Directory roles: active assignments, PIM eligibility and activation, definitions.
  ...withKey('/roleManagement/directory/roleAssignments'),
  ...withKey('/roleManagement/directory/roleEligibilityScheduleInstances'),
  ...withKey('/roleManagement/directory/roleAssignmentScheduleInstances'),
  ...withKey('/roleManagement/directory/roleDefinitions'),
  '/roleManagement/directory/transitiveRoleAssignments',
  // PIM for groups.
  ...withKey('/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances'),
  ...withKey('/identityGovernance/privilegedAccess/group/assignmentScheduleInstances'),
  ...withKey('/applications'),
  // The operator scripts (scripts/lib/app-role-grants.ts): find service principals, read and grant app roles.
  ...withKey('/servicePrincipals'),
  ...withKey('/servicePrincipals/{id}/appRoleAssignments'),
  ...withKey('/servicePrincipals/{id}/appRoleAssignedTo'),
  // The Temporary Access Pass policy (lifetime limits of a TAP the product may create).
  '/policies/authenticationMethodsPolicy',
  ...withKey('/policies/authenticationMethodsPolicy/authenticationMethodConfigurations'),
  '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}/microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
];

/** Types whose property names the extract keeps, to check `$select` and `$filter` (with their base types'). */
export const PROPERTY_TYPES: readonly string[] = [
  'microsoft.graph.user',
  'microsoft.graph.group',
  'microsoft.graph.directoryRole',
  'microsoft.graph.servicePrincipal',
  'microsoft.graph.appRoleAssignment',
  'microsoft.graph.unifiedRoleAssignment',
  'microsoft.graph.unifiedRoleEligibilityScheduleInstance',
  'microsoft.graph.unifiedRoleAssignmentScheduleInstance',
  'microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance',
  'microsoft.graph.privilegedAccessGroupAssignmentScheduleInstance',
];

/**
 * Where an API page and the permission reference disagree or the reference is silent, the page wins for app-only
 * access; each correction replaces the reference's Application list for that template and method.
 */
export interface PermissionCorrection {
  readonly template: string;
  readonly method: string;
  readonly application: readonly string[];
  readonly doc: string;
  readonly reason: string;
}

export const PERMISSION_CORRECTIONS: readonly PermissionCorrection[] = [
  {
    template: '/users/{id}/authentication/hardwareOathMethods/{id}',
    method: 'DELETE',
    application: [],
    doc: 'https://learn.microsoft.com/graph/api/authentication-delete-hardwareoathmethods?view=graph-rest-beta',
    reason:
      'The page\'s "Permissions acting on other users" table lists Application: Not supported, while the ' +
      'permission reference lists UserAuthMethod-HardwareOATH.ReadWrite.All and ' +
      'UserAuthenticationMethod.ReadWrite.All for app-only DELETE. We follow the stricter page.',
  },
  {
    template: '/users/{id}/authentication/signInPreferences',
    method: 'GET',
    application: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
    doc: 'https://learn.microsoft.com/graph/api/authentication-get?view=graph-rest-beta',
    reason:
      'Missing from the permission reference. The page documents UserAuthenticationMethod.Read (least) and ' +
      'UserAuthenticationMethod.ReadWrite for Application; those two are delegated-only, so the application ' +
      'permissions of that family (.Read.All, .ReadWrite.All) are listed.',
  },
  {
    template: '/users/{id}/authentication/signInPreferences',
    method: 'PATCH',
    application: ['UserAuthenticationMethod.ReadWrite.All'],
    doc: 'https://learn.microsoft.com/graph/api/authentication-update?view=graph-rest-beta',
    reason:
      'Missing from the permission reference. The page documents UserAuthenticationMethod.ReadWrite (least, ' +
      'delegated-only) and UserAuthenticationMethod.ReadWrite.All for Application.',
  },
];
