// The audit CLI's command line: `verify --request <id>`, `verify --since <ISO time | 24h | 30m | 7d>`,
// `export --request <id> [-o file]`, plus connection flags that win over the environment.

export interface ConnectionFlags {
  /** Audit account connection string (else MfaAudit / MfaAudit__* from the environment). */
  readonly auditConnection?: string;
  readonly container?: string;
  /** Data account connection string for the table cross-check (else MfaData or AzureWebJobsStorage). */
  readonly dataConnection?: string;
  readonly table?: string;
  /** Skip the table cross-check. */
  readonly noTable: boolean;
}

export type AuditCommand =
  | ({ readonly command: 'verify'; readonly requestId: string } & ConnectionFlags)
  | ({ readonly command: 'verify'; readonly since: Date } & ConnectionFlags)
  | ({ readonly command: 'export'; readonly requestId: string; readonly out?: string } & ConnectionFlags);

export const usage = [
  'usage: npm run audit -- verify --request <requestId>',
  '       npm run audit -- verify --since <ISO time | 24h | 30m | 7d>',
  '       npm run audit -- export --request <requestId> [-o <file>]',
  'connection (else from the environment): --audit-connection <cs> --container <name> (AUDIT_CONTAINER, default audit)',
  '       --data-connection <cs> --table <name> (default mfaresets) --no-table (skip the table cross-check)',
].join('\n');

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `24h`, `30m`, `7d` before `now`, or an ISO time. */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d+)([mhd])$/.exec(value.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new UsageError(`--since ${JSON.stringify(value)}: give an ISO time (2026-12-01T08:00:00Z) or 24h, 30m, 7d`);
  return at;
}

export function parseArgs(argv: readonly string[], now = new Date()): AuditCommand {
  const [command, ...rest] = argv;
  if (command !== 'verify' && command !== 'export') throw new UsageError(`unknown command ${command ?? '(none)'}`);
  const flags = new Map<string, string>();
  let noTable = false;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--no-table') {
      noTable = true;
      continue;
    }
    const known = [
      '--request',
      '--since',
      '-o',
      '--out',
      '--audit-connection',
      '--container',
      '--data-connection',
      '--table',
    ];
    const value = rest[i + 1];
    if (!known.includes(flag)) throw new UsageError(`unknown option ${flag}`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    flags.set(flag === '--out' ? '-o' : flag, value);
    i++;
  }
  const connection: ConnectionFlags = {
    ...(flags.has('--audit-connection') ? { auditConnection: flags.get('--audit-connection') } : {}),
    ...(flags.has('--container') ? { container: flags.get('--container') } : {}),
    ...(flags.has('--data-connection') ? { dataConnection: flags.get('--data-connection') } : {}),
    ...(flags.has('--table') ? { table: flags.get('--table') } : {}),
    noTable,
  };
  const requestId = flags.get('--request');
  const since = flags.get('--since');
  if (requestId !== undefined && !/^[A-Za-z0-9-]{1,100}$/.test(requestId))
    throw new UsageError('--request: give a request id (letters, digits and hyphens)');
  if (command === 'export') {
    if (!requestId) throw new UsageError('export needs --request <requestId>');
    const out = flags.get('-o');
    return { command, requestId, ...(out ? { out } : {}), ...connection };
  }
  if (requestId && since) throw new UsageError('verify takes --request or --since, not both');
  if (requestId) return { command, requestId, ...connection };
  if (since) return { command, since: parseSince(since, now), ...connection };
  throw new UsageError('verify needs --request <requestId> or --since <time>');
}
