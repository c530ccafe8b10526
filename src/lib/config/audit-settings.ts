// The audit record's settings: its own storage account (`MfaAudit`, a connection string, or identity-based
// `MfaAudit__*` like `AzureWebJobsStorage__*`) and container. Only the worker loads them: the intake never gets the
// record. The table endpoint is parsed for the worker's own counters (another part of issue 15).
import { z } from 'zod';
import { optionalGuid, optionalString, url } from './settings.js';

export const auditSchema = z.object({
  MfaAudit: optionalString(),
  MfaAudit__accountName: optionalString(),
  MfaAudit__blobServiceUri: url({ allowHttp: true }),
  MfaAudit__tableServiceUri: url({ allowHttp: true }),
  MfaAudit__credential: optionalString(),
  MfaAudit__clientId: optionalGuid(),
  // Azure container names: 3-63 lower-case letters, digits and single hyphens.
  AUDIT_CONTAINER: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
    z
      .string()
      .regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, { error: 'must be a container name (3-63 a-z, 0-9, -)' })
      .default('audit'),
  ),
});

export type AuditStorage =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly blobServiceUri: string;
      readonly tableServiceUri?: string;
      readonly clientId?: string;
      readonly credential?: string;
    };

export interface AuditConfig {
  readonly storage: AuditStorage;
  readonly container: string;
}

interface Problem {
  readonly key: string;
  readonly message: string;
}

/** The audit settings, or the problems that keep them from being used (pushed on `problems`). */
export function auditConfigFrom(
  env: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): AuditConfig | undefined {
  const result = auditSchema.safeParse(env);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push({ key: String(issue.path[0] ?? 'MfaAudit'), message: issue.message });
    return undefined;
  }
  const s = result.data;
  if (s.MfaAudit)
    return { storage: { kind: 'connectionString', connectionString: s.MfaAudit }, container: s.AUDIT_CONTAINER };
  const account = s.MfaAudit__accountName;
  const blobServiceUri =
    s.MfaAudit__blobServiceUri ?? (account ? `https://${account}.blob.core.windows.net` : undefined);
  const tableServiceUri =
    s.MfaAudit__tableServiceUri ?? (account ? `https://${account}.table.core.windows.net` : undefined);
  if (!blobServiceUri) {
    problems.push({
      key: 'MfaAudit',
      message:
        'is required where the worker runs (the append-only audit record): set a connection string, or ' +
        'MfaAudit__blobServiceUri (or MfaAudit__accountName) for identity-based access',
    });
    return undefined;
  }
  return {
    storage: {
      kind: 'identity',
      blobServiceUri,
      ...(tableServiceUri ? { tableServiceUri } : {}),
      ...(s.MfaAudit__clientId ? { clientId: s.MfaAudit__clientId } : {}),
      ...(s.MfaAudit__credential ? { credential: s.MfaAudit__credential } : {}),
    },
    container: s.AUDIT_CONTAINER,
  };
}
