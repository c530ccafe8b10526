/**
 * Built-in Entra role definitions the emulator knows by name (role template ids, which are also the definition ids
 * of built-in roles: resources/unifiedroledefinition.md). Ids outside this list, when a fixture uses the tenant-scope
 * shorthand, are treated as built-in roles named "Role {id}" so older fixtures keep working.
 */
export const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '0526716b-113d-4c15-b2c8-68e3c22b9f80': 'Authentication Policy Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'Security Administrator',
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': 'Global Reader',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  'fdd7a751-b60b-444a-984c-02652fe8fa1c': 'Groups Administrator',
  '966707d0-3269-4727-9be2-8c3a10f19b9d': 'Password Administrator',
  '88d8e3e3-8f55-4a1e-953a-9b9898b8876b': 'Directory Readers',
};

export interface RoleDefinitionState {
  id: string;
  displayName: string;
  description: string | null;
  isBuiltIn: boolean;
  isEnabled: boolean;
  templateId: string;
  version: string | null;
  resourceScopes: string[];
  rolePermissions: { allowedResourceActions: string[]; condition: null }[];
}

export function builtInRole(id: string): RoleDefinitionState {
  return {
    id,
    displayName: BUILT_IN_ROLES[id] ?? `Role ${id}`,
    description: null,
    isBuiltIn: true,
    isEnabled: true,
    templateId: id,
    version: '1',
    resourceScopes: ['/'],
    rolePermissions: [{ allowedResourceActions: [], condition: null }],
  };
}
