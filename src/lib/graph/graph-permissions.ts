// Which Microsoft Graph application permissions (app roles) allow each call the worker makes (research §6 and, for
// the guard's reads, each page's permission table and Microsoft's permission reference), so a 403 can name what the
// worker's identity lacks. Least privileged first.
export const graphPermissions = {
  readUser: ['User.Read.All'],
  readMethods: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  writeMethods: ['UserAuthenticationMethod.ReadWrite.All'],
  revokeSessions: ['User.RevokeSessions.All'],
  // The guard (privilege-reads.ts).
  readRoleAssignments: ['RoleManagement.Read.Directory'],
  readRoleEligibility: ['RoleEligibilitySchedule.Read.Directory', 'RoleManagement.Read.Directory'],
  // transitiveMemberOf is allowed by User.Read.All, but its groups carry their properties (isAssignableToRole) only
  // with a permission that reads groups: GroupMember.Read.All (readGroups) is held for that too.
  readMemberships: ['User.Read.All', 'GroupMember.Read.All'],
  readOwnedObjects: ['User.Read.All'],
  readGroups: ['GroupMember.Read.All'],
  readGroupEligibility: ['PrivilegedEligibilitySchedule.Read.AzureADGroup'],
  // The Temporary Access Pass (src/lib/graph/tap-calls.ts), only for requests that ask for one. Creating it is allowed
  // by UserAuthMethod-TAP.ReadWrite.All or by UserAuthenticationMethod.ReadWrite.All, which the deletes need anyway;
  // reading the policy needs Policy.Read.AuthenticationMethod (least), Policy.Read.All or its ReadWrite.
  readTapPolicy: ['Policy.Read.AuthenticationMethod', 'Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
  createTap: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
} as const satisfies Record<string, readonly string[]>;

/**
 * The least set of application permissions that grants every call above: what the worker's identity is given
 * (scripts/grant-graph-permissions.ts) and what the emulator's demo managed identity holds.
 */
export const workerGraphPermissions = [
  'UserAuthenticationMethod.ReadWrite.All',
  'User.Read.All',
  'GroupMember.Read.All',
  'RoleManagement.Read.Directory',
  'PrivilegedEligibilitySchedule.Read.AzureADGroup',
  'User.RevokeSessions.All',
  // Read the Temporary Access Pass policy before issuing a pass (a product feature, so always granted).
  'Policy.Read.AuthenticationMethod',
] as const;
