// Makes sure the item-seal key (ITEM_SEAL_KEY) exists in Key Vault, creating it once: 32 random bytes, base64. An
// existing key is never replaced — rotating it is a deliberate procedure (docs/operations.md), not a side effect of
// provisioning. The value is never printed.
// Key Vault REST: "Get Secret" (GET {vault}/secrets/{name}) and "Set Secret" (PUT {vault}/secrets/{name}), api 7.4.
import type { TokenCredential } from '@azure/identity';
import { randomBytes } from 'node:crypto';
import { GrantError } from './app-role-grants.js';
import { azureRest, errorCode, keyVaultScope } from './azure-rest.js';

const API = 'api-version=7.4';

export type SealKeyOutcome = 'exists' | 'created' | 'would-create';

export interface SealKeyOptions {
  readonly vaultUri: URL;
  readonly secretName: string;
  readonly dryRun: boolean;
  /** How long to retry a 403 (a role assignment made by the deployment takes minutes to apply). */
  readonly forbiddenRetryMs: number;
  readonly log: (line: string) => void;
}

export async function ensureSealKey(credential: TokenCredential, options: SealKeyOptions): Promise<SealKeyOutcome> {
  const scope = keyVaultScope(options.vaultUri);
  const url = new URL(`secrets/${encodeURIComponent(options.secretName)}?${API}`, options.vaultUri);
  const deadline = Date.now() + options.forbiddenRetryMs;
  for (;;) {
    const found = await azureRest(credential, scope, 'GET', url);
    if (found.status === 200) return 'exists';
    if (found.status === 403 && Date.now() < deadline) {
      options.log(`key vault answered 403 (${errorCode(found)}): waiting for the Secrets Officer role to apply`);
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      continue;
    }
    if (found.status === 403) {
      throw new GrantError(
        `key vault refused to read ${options.secretName} (403 ${errorCode(found)}): the signed-in identity needs ` +
          `Key Vault Secrets Officer on the vault (az role assignment create --role "Key Vault Secrets Officer" ` +
          `--assignee <your object id> --scope <vault resource id>), then run this again`,
      );
    }
    if (found.status !== 404) {
      throw new GrantError(`key vault: reading ${options.secretName} failed (${errorCode(found)})`);
    }
    break;
  }
  if (options.dryRun) return 'would-create';
  const created = await azureRest(credential, scope, 'PUT', url, {
    body: { value: randomBytes(32).toString('base64'), contentType: 'base64; 32 random bytes; item seal (HMAC) key' },
  });
  if (created.status === 200) return 'created';
  if (created.status === 409) {
    throw new GrantError(
      `key vault: ${options.secretName} is deleted but recoverable (${errorCode(created)}): recover it ` +
        `(az keyvault secret recover --vault-name <vault> --name ${options.secretName}) rather than creating a new key`,
    );
  }
  throw new GrantError(`key vault: creating ${options.secretName} failed (${errorCode(created)})`);
}
