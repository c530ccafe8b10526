// Storage queue clients from the Functions connection settings: a connection string locally (Azurite), or the
// identity-based `AzureWebJobsStorage__queueServiceUri` (+ `__credential`, `__clientId`) in Azure.
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { QueueServiceClient, type StoragePipelineOptions } from '@azure/storage-queue';

export interface QueueConnection {
  /** `AzureWebJobsStorage`: wins when present. */
  readonly connectionString?: string;
  /** `AzureWebJobsStorage__queueServiceUri`. */
  readonly queueServiceUri?: string;
  /** `AzureWebJobsStorage__credential`: `managedidentity` selects ManagedIdentityCredential. */
  readonly credential?: string;
  /** `AzureWebJobsStorage__clientId`: a user-assigned identity. */
  readonly clientId?: string;
}

export function storageCredential(connection: Pick<QueueConnection, 'credential' | 'clientId'>): TokenCredential {
  if (connection.credential?.toLowerCase() === 'managedidentity') {
    return connection.clientId
      ? new ManagedIdentityCredential({ clientId: connection.clientId })
      : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(connection.clientId ? { managedIdentityClientId: connection.clientId } : {});
}

export function createQueueServiceClient(
  connection: QueueConnection,
  options: StoragePipelineOptions = {},
): QueueServiceClient {
  if (connection.connectionString) return QueueServiceClient.fromConnectionString(connection.connectionString, options);
  if (connection.queueServiceUri)
    return new QueueServiceClient(connection.queueServiceUri, storageCredential(connection), options);
  throw new Error('Storage is not configured: set AzureWebJobsStorage or AzureWebJobsStorage__queueServiceUri');
}
