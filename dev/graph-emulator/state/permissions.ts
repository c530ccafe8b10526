/** Microsoft Graph application permissions (app roles of the Graph service principal) and which ones grant which call. */

/** Permission name → app role id (research §6; well-known Graph app-role GUIDs). */
export const GRAPH_PERMISSIONS: Readonly<Record<string, string>> = {
  'UserAuthenticationMethod.Read.All': '38d9df27-64da-44fd-b7c5-a6fbac20248f',
  'UserAuthenticationMethod.ReadWrite.All': '50483e42-d915-4231-9639-7fdb7fd190e5',
  'UserAuthMethod-Phone.ReadWrite.All': '6e85d483-7092-4375-babe-0a94a8213a58',
  'UserAuthMethod-TAP.ReadWrite.All': '627169a8-8c15-451c-861a-5b80e383de5c',
  'UserAuthMethod-MicrosoftAuthApp.ReadWrite.All': 'c833c349-a1ab-4b6d-94a2-fa9a8674420c',
  'UserAuthMethod-Passkey.ReadWrite.All': '0400e371-7db1-4338-a269-96069eb65227',
  'UserAuthMethod-SoftwareOATH.ReadWrite.All': '787442d4-3c6e-4e99-aa95-8ccca20a48ff',
  'UserAuthMethod-HardwareOATH.ReadWrite.All': '7e9ebcc1-90aa-4471-8051-e68d6b4e9c89',
  'UserAuthMethod-WindowsHello.ReadWrite.All': 'f14eee8a-713e-45aa-8223-2ab74632db1a',
  'UserAuthMethod-PlatformCred.ReadWrite.All': '1a87acf4-a9ca-4576-a974-452ea265d5f6',
  'UserAuthMethod-Email.ReadWrite.All': 'e8ecb853-1435-4a49-95ba-ec5b31b11672',
  'UserAuthMethod-External.ReadWrite.All': 'c7a22c2e-5b01-4129-8159-6c8be2c78f16',
  'UserAuthMethod-QR.ReadWrite.All': '4869299f-18c3-40c8-98f2-222657e67db1',
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'User.ReadWrite.All': '741f803b-c850-494e-b5df-cde7c675a1ca',
  'User.RevokeSessions.All': '77f3a031-c388-4f99-b373-dc68676a979e',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'Directory.ReadWrite.All': '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
  'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
  'GroupMember.ReadWrite.All': 'dbaae8cf-10b5-4b86-a4a1-f871c94c6695',
  'Group.Read.All': '5b567255-7703-4780-807c-7be8301ae99b',
  'Group.ReadWrite.All': '62a82d76-70ea-41e2-9197-370581804d09',
  'RoleManagement.Read.Directory': '483bed4a-2ad3-4361-a73b-c83ccdbdc53c',
  'RoleManagement.Read.All': 'c7fbd983-d9aa-4fa7-84b8-17382c103bc4',
  'RoleManagement.ReadWrite.Directory': '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8',
  'RoleEligibilitySchedule.Read.Directory': 'ff278e11-4a33-4d0c-83d2-d01dc58929a5',
  'RoleEligibilitySchedule.ReadWrite.Directory': 'fee28b28-e1f3-4841-818e-2704dc62245f',
  // PIM for Groups (ids from microsoft-graph-devx-content permissions/new/provisioningInfo.json).
  'PrivilegedEligibilitySchedule.Read.AzureADGroup': 'edb419d6-7edc-42a3-9345-509bfdf5d87c',
  'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup': '618b6020-bca8-4de6-99f6-ef445fa4d857',
  'PrivilegedAssignmentSchedule.Read.AzureADGroup': 'cd4161cb-f098-48f8-a884-1eda9a42434c',
  'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup': '41202f2c-f7ab-45be-b001-85c9728b9d69',
  'Policy.Read.All': '246dd0d5-5bd0-4def-940b-0421030a5b68',
  'Policy.ReadWrite.AuthenticationMethod': '29c18626-4985-4dcd-85c0-193eef327366',
  // permissions/new/provisioningInfo.json (Application scheme).
  'Policy.Read.AuthenticationMethod': '8e3bc81b-d2f3-4b7b-838c-32c88218d2f0',
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  'AppRoleAssignment.ReadWrite.All': '06b708a9-e830-4db3-a914-8e69da51d44f',
};

const AUTH_READ = ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'];
const AUTH_WRITE = ['UserAuthenticationMethod.ReadWrite.All'];

/**
 * Least-privileged permission first, then the documented higher-privileged alternatives: each call's doc page and the
 * Application entries of microsoft-graph-devx-content permissions/new/permissions.json (restricted to the names above).
 */
export const GRANTS = {
  methodsList: AUTH_READ,
  methodsRead: (granular?: string): string[] => (granular ? [...AUTH_READ, granular] : AUTH_READ),
  methodsWrite: (granular?: string): string[] => (granular ? [...AUTH_WRITE, granular] : AUTH_WRITE),
  signInPreferencesRead: AUTH_READ,
  signInPreferencesWrite: AUTH_WRITE,
  requirementsRead: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
  requirementsWrite: ['Policy.ReadWrite.AuthenticationMethod'],
  /** GET …/authenticationMethodConfigurations/{id} (temporaryaccesspassauthenticationmethodconfiguration-get). */
  authMethodPolicyRead: [
    'Policy.Read.AuthenticationMethod',
    'Policy.Read.All',
    'Policy.ReadWrite.AuthenticationMethod',
  ],
  userRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  memberOf: [
    'User.Read.All',
    'GroupMember.Read.All',
    'Group.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  ownedObjects: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** Reads group objects (GET /groups, /groups/{id}) and their properties inside directoryObject collections. */
  groupRead: [
    'GroupMember.Read.All',
    'Group.Read.All',
    'GroupMember.ReadWrite.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  groupTransitiveMembers: [
    'GroupMember.Read.All',
    'Group.Read.All',
    'GroupMember.ReadWrite.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
  ],
  groupTransitiveMemberOf: ['Directory.Read.All', 'Directory.ReadWrite.All'],
  roleAssignments: [
    'RoleManagement.Read.Directory',
    'RoleManagement.Read.All',
    'Directory.Read.All',
    'RoleManagement.ReadWrite.Directory',
    'Directory.ReadWrite.All',
  ],
  roleDefinitions: [
    'RoleManagement.Read.Directory',
    'RoleManagement.Read.All',
    'Directory.Read.All',
    'RoleManagement.ReadWrite.Directory',
    'Directory.ReadWrite.All',
  ],
  transitiveRoleAssignments: [
    'RoleManagement.Read.Directory',
    'Directory.Read.All',
    'RoleManagement.ReadWrite.Directory',
    'Directory.ReadWrite.All',
  ],
  groupEligibility: [
    'PrivilegedEligibilitySchedule.Read.AzureADGroup',
    'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup',
  ],
  groupAssignment: [
    'PrivilegedAssignmentSchedule.Read.AzureADGroup',
    'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
  ],
  roleEligibility: [
    'RoleEligibilitySchedule.Read.Directory',
    'RoleManagement.Read.Directory',
    'RoleManagement.Read.All',
    'RoleEligibilitySchedule.ReadWrite.Directory',
    'RoleManagement.ReadWrite.Directory',
  ],
  revokeSessions: ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  servicePrincipalsRead: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
  appRoleAssignmentsWrite: ['AppRoleAssignment.ReadWrite.All'],
  /** application-get.md, application-list.md. */
  applicationsRead: [
    'Application.Read.All',
    'Application.ReadWrite.OwnedBy',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  /** application-upsert.md, application-update.md: OwnedBy only on registrations the app owns (or creates). */
  applicationsWrite: ['Application.ReadWrite.OwnedBy', 'Application.ReadWrite.All'],
  /** serviceprincipal-post-serviceprincipals.md, serviceprincipal-update.md (OwnedBy: its own apps only). */
  servicePrincipalsWrite: ['Application.ReadWrite.OwnedBy', 'Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** serviceprincipal-list-approleassignedto.md. */
  appRoleAssignedToRead: [
    'Application.Read.All',
    'Application.ReadWrite.OwnedBy',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  /**
   * serviceprincipal-post-approleassignedto.md: AppRoleAssignment.ReadWrite.All, which also requires a permission that
   * reads the service principals (Application.Read.All or Directory.Read.All, or higher).
   */
  appRoleAssignedToWrite: ['AppRoleAssignment.ReadWrite.All'],
  appRoleAssignedToWriteAlso: [
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
} as const;
