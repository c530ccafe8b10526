// The service's API app registration, as `npm run setup-entra` creates it and the emulator's demo tenant serves it.
// The ids are fixed: re-running the setup must find the same roles, or callers' assignments would be orphaned.
import { Roles, type Role } from './roles.js';

/** The delegated permission a person's client asks for (`scp`); the app role (`roles`) still decides what they may do. */
export const API_SCOPE = 'Resets.Access';

/** The id of the exposed `Resets.Access` scope (oauth2PermissionScopes[].id). */
export const API_SCOPE_ID = '7d59d97a-77af-4dc8-a0c6-12e5540d0ed9';

/** appRoles[].id of each role; assignable to applications, users and groups. */
export const API_ROLE_IDS: Readonly<Record<Role, string>> = {
  [Roles.submit]: '52707827-7bc1-4c9c-8a50-819861fb5eb7',
  [Roles.submitBulk]: 'cd525a04-9bb2-43c0-88af-20308737747a',
  [Roles.read]: '01f9b5f1-c36f-4cfb-8c87-9ea1241bf92d',
  [Roles.operate]: '08f9661b-b705-413e-96d8-5c882c7d063a',
  [Roles.approve]: 'ab383677-7469-4525-b76e-c208e9048f5c',
};

/**
 * Public clients people use to call the API, pre-authorized for `Resets.Access` so no consent prompt is needed:
 * the Azure CLI (`az login`, AzureCliCredential) and Microsoft Graph PowerShell's public client (also the CLI's
 * device-code client for `--direct`).
 */
export const PREAUTHORIZED_PUBLIC_CLIENTS = {
  azureCli: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
  graphPowerShell: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
} as const;
