// The caller's access token for the service's API. `--token` (or MFA_RESET_TOKEN) as given; otherwise
// @azure/identity: DefaultAzureCredential when the environment names an application (AZURE_CLIENT_ID: a service
// principal, workload or managed identity), else the Azure CLI's signed-in account (`az login`). The scope is the
// API's `api://<audience>/.default`.
import type { TokenCredential } from '@azure/identity';
import { CliError, ExitCode, usageError } from './cli-error.js';

export interface TokenSource {
  readonly token?: string | undefined;
  readonly audience?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

export type TokenProvider = () => Promise<string>;

export function scopeFor(audience: string): string {
  const resource = audience.startsWith('api://') ? audience : `api://${audience}`;
  return `${resource.replace(/\/+$/, '')}/.default`;
}

async function credentialFor(env: NodeJS.ProcessEnv, kind: 'cli' | 'default'): Promise<TokenCredential> {
  // Loaded when a token is needed: the SDK is most of the CLI's start-up time.
  const { AzureCliCredential, DefaultAzureCredential } = await import('@azure/identity');
  if (kind === 'cli') return new AzureCliCredential();
  // Another authority (a sovereign cloud, or the local Graph emulator) is not in Entra's instance-discovery list:
  // MSAL would refuse it unless discovery is off. The option is passed through DefaultAzureCredential to the
  // environment credential.
  const options = env.AZURE_AUTHORITY_HOST
    ? { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true }
    : {};
  return new DefaultAzureCredential(options);
}

function signInFix(kind: 'cli' | 'default'): string {
  return kind === 'cli'
    ? 'run `az login` (add --tenant <tenant id> for another tenant), or pass --token'
    : 'check AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or the managed identity), or run `az login` and unset AZURE_CLIENT_ID';
}

export function tokenProvider(source: TokenSource): TokenProvider {
  const given = source.token ?? source.env.MFA_RESET_TOKEN;
  if (given) return () => Promise.resolve(given);
  const audience = source.audience ?? source.env.MFA_RESET_AUDIENCE;
  if (!audience) {
    throw usageError(
      "No audience for the token: pass --audience <the API app's client id> or set MFA_RESET_AUDIENCE (or pass --token).",
    );
  }
  const kind = source.env.AZURE_CLIENT_ID ? 'default' : 'cli';
  const scope = scopeFor(audience);
  let cached: { token: string; expiresOn: number } | undefined;
  let credential: Promise<TokenCredential> | undefined;
  return async () => {
    if (cached && cached.expiresOn - Date.now() > 120_000) return cached.token;
    try {
      credential ??= credentialFor(source.env, kind);
      const got = await (await credential).getToken(scope);
      if (!got) throw new Error('the credential returned no token');
      cached = { token: got.token, expiresOn: got.expiresOnTimestamp };
      return got.token;
    } catch (error) {
      // The library's message can be long (every credential of the chain); its first line says what failed.
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300) ?? '';
      throw new CliError(`Could not get a token for ${scope}: ${first}\nFix: ${signInFix(kind)}.`, ExitCode.usage);
    }
  };
}
