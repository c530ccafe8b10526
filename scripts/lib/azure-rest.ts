// A minimal authenticated JSON call to an Azure REST endpoint (Key Vault data plane, Azure Resource Manager) for the
// operator scripts: the token comes from any @azure/identity credential; the response body is never printed.
import type { TokenCredential } from '@azure/identity';
import { GrantError } from './app-role-grants.js';

export interface RestAnswer {
  readonly status: number;
  readonly etag: string | undefined;
  readonly body: Record<string, unknown>;
}

/** The token scope of an Azure service: its host's parent domain, e.g. https://vault.azure.net/.default. */
export function keyVaultScope(vaultUri: URL): string {
  return `https://${vaultUri.hostname.split('.').slice(1).join('.')}/.default`;
}

export async function azureRest(
  credential: TokenCredential,
  scope: string,
  method: 'GET' | 'PUT' | 'POST',
  url: URL,
  options: { readonly body?: unknown; readonly ifMatch?: string } = {},
): Promise<RestAnswer> {
  let token: string;
  try {
    const got = await credential.getToken(scope);
    if (!got) throw new Error(`no access token for ${scope}`);
    token = got.token;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 400) ?? '';
    throw new GrantError(`sign-in failed: ${first}. Sign in with \`az login\` (or \`azd auth login\`) first.`);
  }
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return { status: response.status, etag: response.headers.get('etag') ?? undefined, body };
}

/** The service's error code (`{"error":{"code":…}}`), for messages; never the whole body. */
export function errorCode(answer: RestAnswer): string {
  const error = answer.body.error;
  const code = typeof error === 'object' && error !== null ? (error as Record<string, unknown>).code : undefined;
  return typeof code === 'string' ? code : `HTTP ${answer.status}`;
}
