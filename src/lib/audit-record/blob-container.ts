// The audit account's container client: a connection string (Azurite, keys) or identity-based access
// (`MfaAudit__blobServiceUri` + the worker's managed identity), chosen the same way as the data account's.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { AuditConfig } from '../config/index.js';
import { storageCredential } from '../config/storage-credential.js';

export function createAuditContainer(config: AuditConfig, credential?: TokenCredential): ContainerClient {
  const { storage } = config;
  const service =
    storage.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(storage.connectionString)
      : new BlobServiceClient(storage.blobServiceUri, credential ?? storageCredential(storage));
  return service.getContainerClient(config.container);
}
