// `mfa-reset help`: every command's usage and the options they share.
import { bulkHelp } from './commands/bulk.js';
import { cancelHelp } from './commands/cancel.js';
import { decideHelp } from './commands/decide.js';
import { exportHelp } from './commands/export.js';
import { resetHelp } from './commands/reset.js';
import { statusHelp } from './commands/status.js';
import { whoamiHelp } from './commands/whoami.js';

export const helpText = (): string => `mfa-reset: reset MFA for Entra ID users through a deployed mfa-reset API

${[resetHelp, bulkHelp, statusHelp, exportHelp, cancelHelp, decideHelp, whoamiHelp].join('\n\n')}

Every command:
  --api URL                the function app (or MFA_RESET_API)
  --audience ID            the API app's client id, for the token's scope api://ID/.default (or MFA_RESET_AUDIENCE)
  --token T                a bearer token to use as is (better MFA_RESET_TOKEN: arguments show in the process
                           list); otherwise the Azure CLI's account (az login), or DefaultAzureCredential when
                           AZURE_CLIENT_ID is set (AZURE_TENANT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST)
Exit codes: 0 every user reset or had nothing to reset; 1 some were not (failed, protected, not_found…) or the
service could not take the request; 2 a usage or sign-in problem.`;
