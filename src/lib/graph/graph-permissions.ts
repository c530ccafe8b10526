// Which Microsoft Graph application permissions (app roles) allow each call the worker makes (research §6), so a
// 403 can name what the worker's identity lacks. Least privileged first.
export const graphPermissions = {
  readUser: ['User.Read.All'],
  readMethods: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  writeMethods: ['UserAuthenticationMethod.ReadWrite.All'],
  revokeSessions: ['User.RevokeSessions.All'],
  readRoleAssignments: ['RoleManagement.Read.Directory'],
  readRoleEligibility: ['RoleEligibilitySchedule.Read.Directory', 'RoleManagement.Read.Directory'],
  readGroupMembership: ['GroupMember.Read.All', 'User.Read.All'],
} as const satisfies Record<string, readonly string[]>;

/**
 * The least set of application permissions that grants every call above: what the worker's identity is given
 * (scripts/grant-graph-permissions.ts) and what the emulator's demo managed identity holds.
 */
export const workerGraphPermissions = [
  'UserAuthenticationMethod.ReadWrite.All',
  'User.Read.All',
  'RoleManagement.Read.Directory',
  'RoleEligibilitySchedule.Read.Directory',
  'User.RevokeSessions.All',
] as const;
