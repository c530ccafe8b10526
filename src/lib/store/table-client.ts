// Builds the TableClient from the storage settings: a connection string (Azurite, keys) or identity-based access
// (`AzureWebJobsStorage__tableServiceUri` + a managed identity), the same way the Functions host resolves it.

import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StorageConfig } from '../config/index.js';
import { storageCredential } from '../config/storage-credential.js';

export interface TableClientOptions {
  readonly tableName: string;
  /** Overrides the credential for identity-based storage (tests, or a credential shared with the queue client). */
  readonly credential?: TokenCredential;
}

/** What a table client needs of a storage connection (the data account's, or the audit account's). */
export type TableStorage =
  | Extract<StorageConfig, { kind: 'connectionString' }>
  | {
      readonly kind: 'identity';
      readonly tableServiceUri: string;
      readonly clientId?: string;
      readonly credential?: string;
    };

export function createTableClient(storage: TableStorage, options: TableClientOptions): TableClient {
  if (storage.kind === 'connectionString') {
    // Azurite serves plain http; the SDK refuses to send a shared key over http unless told.
    const insecure = /(^|;)\s*(UseDevelopmentStorage=true|DefaultEndpointsProtocol=http)\s*(;|$)/i.test(
      storage.connectionString,
    );
    return TableClient.fromConnectionString(storage.connectionString, options.tableName, {
      allowInsecureConnection: insecure,
    });
  }
  return new TableClient(storage.tableServiceUri, options.tableName, options.credential ?? storageCredential(storage), {
    allowInsecureConnection: storage.tableServiceUri.startsWith('http:'),
  });
}
