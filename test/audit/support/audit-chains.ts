// For suites that end with "every request's audit chain is complete and unbroken": reads every request that has
// table audit rows, optionally runs one reconcile pass first (the same shipper the worker's timer uses), and returns
// one line per problem (chain problems and table rows missing from the record), empty when all is well.
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { createAuditShipper, createBlobAuditRecord, sha256Hex } from '../../../src/lib/audit-record/index.js';
import { verifyChain } from '../../../src/lib/domain/index.js';
import {
  DEFAULT_TABLE_NAME,
  listAllAuditRows,
  listItemAuditRows,
  listRequestAuditRows,
  requestsWithAuditSince,
  type AuditEvent,
} from '../../../src/lib/store/index.js';
import { crossCheck } from '../../../scripts/audit/cross-check.js';

export interface AuditChainsOptions {
  /** Run one reconcile pass over every request first (rows a crash left unshipped, or the intake's own rows). */
  readonly reconcile?: boolean;
  readonly container?: string;
}

export async function auditChainProblems(
  connectionString: string,
  options: AuditChainsOptions = {},
): Promise<{ readonly requests: number; readonly problems: readonly string[] }> {
  const table = TableClient.fromConnectionString(connectionString, DEFAULT_TABLE_NAME, {
    allowInsecureConnection: true,
  });
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(
    options.container ?? 'audit',
  );
  const record = createBlobAuditRecord<AuditEvent>({ container });
  const ids = await requestsWithAuditSince(table, new Date(0));
  if (options.reconcile) {
    const shipper = createAuditShipper({
      record,
      rows: {
        listAudit: (id) => listAllAuditRows(table, id),
        listRequestAudit: (id) => listRequestAuditRows(table, id),
        listItemAudit: (id, index) => listItemAuditRows(table, id, index),
        requestsChangedSince: (since) => requestsWithAuditSince(table, since),
      },
    });
    for (const id of ids) await shipper.reconcileRequest(id);
  }
  const problems: string[] = [];
  for (const id of ids) {
    const { lines } = await record.read(id);
    const verdict = verifyChain(id, lines, sha256Hex);
    for (const p of verdict.problems) problems.push(`${id} seq=${p.seq ?? '?'} ${p.kind}: ${p.detail}`);
    const rows = await listAllAuditRows(table, id);
    for (const p of crossCheck(verdict.entries, rows))
      problems.push(`${id} auditId=${p.auditId} eventType=${p.eventType} ${p.kind}`);
  }
  return { requests: ids.length, problems };
}

/**
 * The end of a reliability suite: every request's chain unbroken and holding every table audit row, after at most one
 * reconcile pass. Prints what was missing before the pass (rows a crash or an outage left for reconcile).
 */
export async function expectCompleteAuditChains(connectionString: string, suite: string): Promise<void> {
  const before = await auditChainProblems(connectionString);
  const after = await auditChainProblems(connectionString, { reconcile: true });
  console.log(
    `${suite}: audit record of ${after.requests} request(s): ${before.problems.length} problem(s) before one ` +
      `reconcile pass, ${after.problems.length} after`,
  );
  if (after.problems.length > 0)
    throw new Error(`audit chains incomplete or broken after one reconcile pass:\n${after.problems.join('\n')}`);
}
