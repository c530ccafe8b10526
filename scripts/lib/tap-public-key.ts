// Gives the worker the public half of the Temporary Access Pass key. The template creates the key in Key Vault but
// cannot read key material, so this step reads it and sets it where the worker reads it (TAP_PUBLIC_KEY):
//  - Key Vault REST "Get Key" (GET {vault}/keys/{name}?api-version=7.4; needs keys/read, which the template's
//    "TAP key reader" role grants the deployer on this key only): the public JWK, turned into a PEM;
//  - Azure Resource Manager, Microsoft.Web: "Web Apps - List Application Settings" (POST …/config/appsettings/list)
//    and "Web Apps - Update Application Settings" (PUT …/config/appsettings, which replaces the whole set: so the
//    current set goes back with the one value changed).
// The value is base64 of the PEM: one line, so it survives the azd environment file and the parameters file, and
// TAP_PUBLIC_KEY accepts it (src/lib/config/schema.ts).
import type { TokenCredential } from '@azure/identity';
import { createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { GrantError } from './app-role-grants.js';
import { azureRest, errorCode, keyVaultScope } from './azure-rest.js';

const KEY_VAULT_API = 'api-version=7.4';
const WEB_API = 'api-version=2024-11-01';

export interface TapKeyReadOptions {
  readonly vaultUri: URL;
  readonly keyName: string;
  /** How long to retry a 403 (the deployment's role assignment takes minutes to apply). */
  readonly forbiddenRetryMs: number;
  readonly log: (line: string) => void;
}

/** The TAP key's public half as the worker's TAP_PUBLIC_KEY value: base64 of the SPKI PEM. */
export async function readTapPublicKey(credential: TokenCredential, options: TapKeyReadOptions): Promise<string> {
  const url = new URL(`keys/${encodeURIComponent(options.keyName)}?${KEY_VAULT_API}`, options.vaultUri);
  const deadline = Date.now() + options.forbiddenRetryMs;
  for (;;) {
    const found = await azureRest(credential, keyVaultScope(options.vaultUri), 'GET', url);
    if (found.status === 200) return publicKeySetting(found.body.key, options.keyName);
    if (found.status === 403 && Date.now() < deadline) {
      options.log(`key vault answered 403 (${errorCode(found)}): waiting for the TAP key reader role to apply`);
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      continue;
    }
    if (found.status === 403) {
      throw new GrantError(
        `key vault refused to read the key ${options.keyName} (403 ${errorCode(found)}): the signed-in identity ` +
          `needs Microsoft.KeyVault/vaults/keys/read on it (the template's "mfa-reset TAP key reader" role, given ` +
          `to the deployer when grantDeployerSecretsOfficer is true), then run this again`,
      );
    }
    throw new GrantError(`key vault: reading the key ${options.keyName} failed (${errorCode(found)})`);
  }
}

function publicKeySetting(key: unknown, keyName: string): string {
  const jwk = (typeof key === 'object' && key !== null ? key : {}) as Record<string, unknown>;
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new GrantError(`key vault: ${keyName} is not an RSA key with a public half (kty ${String(jwk.kty)})`);
  }
  const publicJwk: JsonWebKey = { kty: 'RSA', n: jwk.n, e: jwk.e };
  const pem = createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  return Buffer.from(String(pem)).toString('base64');
}

export interface AppSettingOptions {
  /** Azure Resource Manager root, e.g. https://management.azure.com/ (environment().resourceManager). */
  readonly resourceManager: URL;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly appName: string;
  readonly name: string;
  readonly value: string;
  readonly dryRun: boolean;
}

export type AppSettingOutcome = 'unchanged' | 'set' | 'would-set';

/** Sets one app setting of a function app, leaving the others as they are; no write when it already has the value. */
export async function ensureAppSetting(
  credential: TokenCredential,
  options: AppSettingOptions,
): Promise<AppSettingOutcome> {
  const scope = new URL('.default', options.resourceManager).href;
  const site =
    `subscriptions/${options.subscriptionId}/resourceGroups/${options.resourceGroup}` +
    `/providers/Microsoft.Web/sites/${options.appName}/config/appsettings`;
  const listed = await azureRest(
    credential,
    scope,
    'POST',
    new URL(`${site}/list?${WEB_API}`, options.resourceManager),
  );
  if (listed.status !== 200) {
    throw new GrantError(`reading the settings of ${options.appName} failed (${errorCode(listed)})`);
  }
  const current = listed.body.properties;
  const settings = (typeof current === 'object' && current !== null ? current : {}) as Record<string, unknown>;
  if (settings[options.name] === options.value) return 'unchanged';
  if (options.dryRun) return 'would-set';
  const updated = await azureRest(credential, scope, 'PUT', new URL(`${site}?${WEB_API}`, options.resourceManager), {
    body: { properties: { ...settings, [options.name]: options.value } },
  });
  if (updated.status !== 200) {
    throw new GrantError(`setting ${options.name} on ${options.appName} failed (${errorCode(updated)})`);
  }
  return 'set';
}
