// Builds the @microsoft/microsoft-graph-client Client with our middleware chain:
// AuthenticationHandler → ThrottleRetryHandler (ours, instead of the SDK's RetryHandler) → HTTPMessageHandler.
// customHosts carries the base URL's host so the bearer token is also sent to a non-Microsoft host (the emulator);
// the SDK strips the Authorization header for any other host.
import type { TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { graphScopeFor } from './credential.js';
import type { ThrottleRetryOptions } from './throttle-retry-handler.js';
import { ThrottleRetryHandler } from './throttle-retry-handler.js';

export interface GraphClientOptions {
  readonly baseUrl: string;
  readonly credential: TokenCredential;
  readonly retry: ThrottleRetryOptions;
  /** Token scope; default derived from the base URL (graphScopeFor). */
  readonly scope?: string;
}

/** Normalises a Graph root: https only, no trailing slash, no version segment. */
export function normaliseGraphBaseUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') {
    throw new Error(
      `GRAPH_BASE_URL must be an https URL (the Graph client never sends tokens over http): ${url.origin}`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/(v1\.0|beta)$/i, '');
  url.search = '';
  url.hash = '';
  return url;
}

export function createGraphClient(options: GraphClientOptions): Client {
  const url = normaliseGraphBaseUrl(options.baseUrl);
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, {
    scopes: [options.scope ?? graphScopeFor(url.href)],
  });
  return Client.initWithMiddleware({
    baseUrl: url.href.replace(/\/+$/, ''),
    defaultVersion: 'v1.0',
    customHosts: new Set([url.hostname]),
    middleware: [
      new AuthenticationHandler(authProvider),
      new ThrottleRetryHandler(options.retry),
      new HTTPMessageHandler(),
    ],
  });
}
