// The admin's own Microsoft Graph token for --direct: a device code sign-in (@azure/identity DeviceCodeCredential)
// through a public client, or a token given with --token. The sign-in asks for the worker's Graph permissions by
// name as delegated permissions, so Entra ID shows them for consent and the token carries nothing else; whatever
// scope the Graph client asks for, this credential asks for those.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { AzureAuthorityHosts, DeviceCodeCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { graphScopeFor } from '../../lib/graph/index.js';
import { workerGraphPermissions } from '../../lib/graph/graph-permissions.js';
import type { DirectSettings } from './direct-settings.js';

/** The delegated scopes --direct asks for: `{graph root}/{permission}` for each permission the engine's calls need. */
export function delegatedGraphScopes(graphBaseUrl: string): string[] {
  const root = graphScopeFor(graphBaseUrl).replace(/\/\.default$/, '');
  return workerGraphPermissions.map((permission) => `${root}/${permission}`);
}

/** A token given as is: valid until its `exp` (unknown: an hour, Graph answers 401 when it is not). */
export function staticTokenCredential(token: string): TokenCredential {
  let expiresOnTimestamp = Date.now() + 3600_000;
  try {
    const exp = decodeJwt(token).exp;
    if (typeof exp === 'number') expiresOnTimestamp = exp * 1000;
  } catch {
    // Not a JWT we can read: Graph decides.
  }
  return { getToken: () => Promise.resolve({ token, expiresOnTimestamp }) };
}

const knownAuthorityHosts: ReadonlySet<string> = new Set(
  Object.values(AzureAuthorityHosts).map((h) => new URL(h).origin),
);

/**
 * The device code sign-in. `prompt` gets Entra ID's message (the URL to open and the code); it goes to stderr so
 * stdout stays the results. Instance discovery is for Microsoft's clouds only (the emulator has none).
 */
export function deviceCodeCredential(
  settings: Pick<DirectSettings, 'tenant' | 'clientId' | 'authorityHost'>,
  prompt: (message: string) => void,
): TokenCredential {
  const host = settings.authorityHost;
  return new DeviceCodeCredential({
    ...(settings.tenant ? { tenantId: settings.tenant } : {}),
    clientId: settings.clientId,
    ...(host ? { authorityHost: host, disableInstanceDiscovery: !knownAuthorityHosts.has(new URL(host).origin) } : {}),
    userPromptCallback: (info) => prompt(info.message),
  });
}

/** Asks `inner` for `scopes` whatever the caller names (the Graph client asks for `.default`). */
export function pinnedScopes(inner: TokenCredential, scopes: readonly string[]): TokenCredential {
  return {
    getToken: (_requested: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> =>
      inner.getToken([...scopes], options),
  };
}

/** The credential --direct uses: --token as is, else the device code sign-in, asking for the delegated scopes. */
export function directCredential(settings: DirectSettings, prompt: (message: string) => void): TokenCredential {
  if (settings.token) return staticTokenCredential(settings.token);
  return pinnedScopes(deviceCodeCredential(settings, prompt), delegatedGraphScopes(settings.graphBaseUrl));
}
