// Storage queue clients from the Functions connection settings: a connection string locally (Azurite), or the
// identity-based `AzureWebJobsStorage__queueServiceUri` (+ `__credential`, `__clientId`) in Azure.
import { QueueServiceClient, type StoragePipelineOptions } from '@azure/storage-queue';
import type { StorageConfig } from '../config/index.js';
import { storageCredential, type StorageIdentity } from '../config/storage-credential.js';

export interface QueueConnection extends StorageIdentity {
  /** `AzureWebJobsStorage`: wins when present. */
  readonly connectionString?: string;
  /** `AzureWebJobsStorage__queueServiceUri`. */
  readonly queueServiceUri?: string;
}

/** The queue side of the app's storage configuration. */
export const queueConnectionOf = (storage: StorageConfig): QueueConnection =>
  storage.kind === 'connectionString'
    ? { connectionString: storage.connectionString }
    : { queueServiceUri: storage.queueServiceUri, credential: storage.credential, clientId: storage.clientId };

export function createQueueServiceClient(
  connection: QueueConnection,
  options: StoragePipelineOptions = {},
): QueueServiceClient {
  if (connection.connectionString) return QueueServiceClient.fromConnectionString(connection.connectionString, options);
  if (connection.queueServiceUri)
    return new QueueServiceClient(connection.queueServiceUri, storageCredential(connection), options);
  throw new Error('Storage is not configured: set AzureWebJobsStorage or AzureWebJobsStorage__queueServiceUri');
}
