// Where the intake's TAP private key lives: a Key Vault key in Azure (TAP_KEY_ID: unwrapKey runs in Key Vault and
// the key never leaves it), or a PEM file for the embedded stack and tests (TAP_PRIVATE_KEY_FILE).
import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { CryptographyClient } from '@azure/keyvault-keys';
import type { TapKeyUnwrapper } from './tap-envelope.js';

export function localTapUnwrapper(privateKeyFile: string): TapKeyUnwrapper {
  const key = createPrivateKey(readFileSync(privateKeyFile));
  return {
    unwrap: (wrapped) =>
      Promise.resolve(
        privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(wrapped)),
      ),
  };
}

/** Key Vault "Unwrap Key" with RSA-OAEP-256; the intake's identity needs the key permission unwrapKey only. */
export function keyVaultTapUnwrapper(keyId: string, credential: TokenCredential): TapKeyUnwrapper {
  const client = new CryptographyClient(keyId, credential);
  return {
    unwrap: async (wrapped) => (await client.unwrapKey('RSA-OAEP-256', wrapped)).result,
  };
}

/**
 * The intake's unwrapper from its settings: the Key Vault key (with the app's managed identity, user-assigned when
 * AZURE_CLIENT_ID names one; a developer sign-in elsewhere) or the local PEM file; undefined when neither is set.
 */
export function tapUnwrapperFor(
  tap: { readonly keyId?: string; readonly privateKeyFile?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): TapKeyUnwrapper | undefined {
  if (tap.privateKeyFile) return localTapUnwrapper(tap.privateKeyFile);
  if (!tap.keyId) return undefined;
  const clientId = env.AZURE_CLIENT_ID?.trim() || undefined;
  const credential = env.IDENTITY_ENDPOINT
    ? new ManagedIdentityCredential(clientId ? { clientId } : {})
    : new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return keyVaultTapUnwrapper(tap.keyId, credential);
}
