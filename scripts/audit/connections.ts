// Where the audit CLI reads: the audit account (flags, else MfaAudit / MfaAudit__* as the worker reads them) and,
// for the cross-check, the data table (flags, else MfaData or AzureWebJobsStorage, by connection string or
// `__tableServiceUri` with the developer's or a managed identity). Nothing here prints a connection string.
import { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { createAuditContainer } from '../../src/lib/audit-record/index.js';
import { auditConfigFrom } from '../../src/lib/config/audit-settings.js';
import { storageCredential } from '../../src/lib/config/index.js';
import { DEFAULT_TABLE_NAME } from '../../src/lib/store/index.js';
import { UsageError, type ConnectionFlags } from './args.js';

type Env = Readonly<Record<string, string | undefined>>;

export function auditContainerFrom(flags: ConnectionFlags, env: Env): ContainerClient {
  const problems: { key: string; message: string }[] = [];
  const config = auditConfigFrom(
    {
      ...env,
      ...(flags.auditConnection ? { MfaAudit: flags.auditConnection } : {}),
      ...(flags.container ? { AUDIT_CONTAINER: flags.container } : {}),
    },
    problems,
  );
  if (!config)
    throw new UsageError(
      `no audit account: ${problems.map((p) => `${p.key} ${p.message}`).join('; ')} (or pass --audit-connection)`,
    );
  // One retry, not the SDK's default of four with growing pauses: an unreachable account is reported in seconds.
  return createAuditContainer(config, undefined, { retryOptions: { maxTries: 2, retryDelayInMs: 500 } });
}

const insecure = (cs: string): boolean =>
  /(^|;)\s*(UseDevelopmentStorage=true|DefaultEndpointsProtocol=http)\s*(;|$)/i.test(cs);

/** The data table, or undefined when none is configured (the cross-check is then skipped, and said so). */
export function dataTableFrom(flags: ConnectionFlags, env: Env): TableClient | undefined {
  if (flags.noTable) return undefined;
  const table = flags.table ?? DEFAULT_TABLE_NAME;
  const cs = flags.dataConnection ?? env.MfaData ?? env.AzureWebJobsStorage;
  if (cs) return TableClient.fromConnectionString(cs, table, { allowInsecureConnection: insecure(cs) });
  for (const prefix of ['MfaData', 'AzureWebJobsStorage']) {
    const account = env[`${prefix}__accountName`];
    const uri =
      env[`${prefix}__tableServiceUri`] ?? (account ? `https://${account}.table.core.windows.net` : undefined);
    if (uri) {
      const credential = storageCredential({
        ...(env[`${prefix}__credential`] ? { credential: env[`${prefix}__credential`] } : {}),
        ...(env[`${prefix}__clientId`] ? { clientId: env[`${prefix}__clientId`] } : {}),
      });
      return new TableClient(uri, table, credential, { allowInsecureConnection: uri.startsWith('http:') });
    }
  }
  return undefined;
}
