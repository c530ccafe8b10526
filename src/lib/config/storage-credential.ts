// The credential identity-based storage settings describe, picked the way the Functions host picks it for
// `AzureWebJobsStorage__*`: `__credential=managedidentity` selects the managed identity (user-assigned when
// `__clientId` names one); otherwise DefaultAzureCredential (developer sign-in locally). The table and queue
// clients both take it from here.
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export interface StorageIdentity {
  /** `AzureWebJobsStorage__credential`: `managedidentity` selects ManagedIdentityCredential. */
  readonly credential?: string;
  /** `AzureWebJobsStorage__clientId`: a user-assigned identity. */
  readonly clientId?: string;
}

export function storageCredential(identity: StorageIdentity): TokenCredential {
  if (identity.credential?.toLowerCase() === 'managedidentity') {
    return identity.clientId
      ? new ManagedIdentityCredential({ clientId: identity.clientId })
      : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(identity.clientId ? { managedIdentityClientId: identity.clientId } : {});
}
