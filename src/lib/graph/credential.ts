// The worker's identity for Graph: the managed identity in Azure (user-assigned when AZURE_CLIENT_ID names one),
// the emulator's App Service managed-identity endpoint locally (IDENTITY_ENDPOINT/IDENTITY_HEADER), and otherwise
// DefaultAzureCredential (developer sign-in: Azure CLI, azd, environment).
import type { TokenCredential } from '@azure/identity';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { isGraphCloudHost } from './graph-hosts.js';

export interface GraphCredentialOptions {
  /** Client id of a user-assigned managed identity (AZURE_CLIENT_ID); absent: system-assigned. */
  readonly clientId?: string;
  /** Environment to inspect (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** True where a managed-identity endpoint is available: App Service/Functions (incl. the emulator), or Azure Arc/IMDS hints. */
export function hasManagedIdentityEndpoint(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT || env.WEBSITE_INSTANCE_ID || env.IMDS_ENDPOINT);
}

export function createGraphCredential(options: GraphCredentialOptions = {}): TokenCredential {
  const env = options.env ?? process.env;
  const clientId = options.clientId?.trim() || undefined;
  if (hasManagedIdentityEndpoint(env)) {
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

/** The token scope for a Graph root: the national cloud's own audience, else the global one (the emulator uses it too). */
export function graphScopeFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  return isGraphCloudHost(url.hostname) ? `${url.origin}/.default` : 'https://graph.microsoft.com/.default';
}
