// A storage call the CLI could not make: exit 2 with the fix named (never the connection string or a URL with a SAS).
import { blobFailure } from '../../src/lib/audit-record/blob-errors.js';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly store: 'record' | 'table',
    cause: unknown,
  ) {
    const fix =
      store === 'record'
        ? 'set MfaAudit (or MfaAudit__blobServiceUri) or pass --audit-connection; the identity needs Storage Blob Data ' +
          'Reader on the audit container'
        : 'set MfaData or AzureWebJobsStorage (or pass --data-connection), or --no-table to skip the cross-check; the ' +
          'identity needs Storage Table Data Reader on the data account';
    super(`cannot read the ${store === 'record' ? 'audit record' : 'data table'} (${blobFailure(cause)}): ${fix}`);
  }
}
