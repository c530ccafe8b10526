// The audit account's container client: a connection string (Azurite, keys) or identity-based access
// (`MfaAudit__blobServiceUri` + the worker's managed identity), chosen the same way as the data account's.
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { AuditConfig } from '../config/index.js';
import { storageCredential } from '../config/storage-credential.js';

/** `pipeline`: e.g. fewer retries for the CLI, which should fail fast on an unreachable account. */
export function createAuditContainer(
  config: AuditConfig,
  credential?: TokenCredential,
  pipeline?: StoragePipelineOptions,
): ContainerClient {
  const { storage } = config;
  const service =
    storage.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(storage.connectionString, pipeline)
      : new BlobServiceClient(storage.blobServiceUri, credential ?? storageCredential(storage), pipeline);
  return service.getContainerClient(config.container);
}
