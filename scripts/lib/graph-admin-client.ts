// A Microsoft Graph client for the operator scripts: the real @microsoft/microsoft-graph-client with a token from any
// @azure/identity credential. customHosts names the base URL's host so a non-default Graph root (a national cloud,
// the local emulator) still receives the bearer token; the client strips it for hosts it does not know.
import type { TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { graphScopeFor } from '../../src/lib/graph/credential.js';
import { GrantError } from './app-role-grants.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';

/** Parses a Graph root: https only, no trailing slash, no version segment. Throws a message meant for the operator. */
export function parseGraphBaseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--graph-base-url must be an absolute URL, got '${value}'`);
  }
  if (url.protocol !== 'https:') throw new Error(`--graph-base-url must be an https URL, got '${url.origin}'`);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/(v1\.0|beta)$/i, '');
  url.search = '';
  url.hash = '';
  return url;
}

export function createGraphAdminClient(baseUrl: URL, credential: TokenCredential): Client {
  const scope = graphScopeFor(baseUrl.href);
  const authProvider: AuthenticationProvider = {
    async getAccessToken() {
      try {
        const token = await credential.getToken(scope);
        if (!token) throw new Error(`no access token for ${scope}`);
        return token.token;
      } catch (error) {
        // @azure/identity's messages are long and multi-line; the first line names the cause.
        const name = error instanceof Error ? error.name : 'Error';
        const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 400) ?? '';
        throw new GrantError(
          `sign-in failed (${name}): ${first}. Sign in with \`az login --tenant <tenant id>\` as an administrator, ` +
            'or check --tenant-id/--client-id/AZURE_CLIENT_SECRET/--authority-host.',
        );
      }
    },
  };
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: baseUrl.href.replace(/\/+$/, ''),
    defaultVersion: 'v1.0',
    customHosts: new Set([baseUrl.hostname]),
  });
}
