// `verify`: checks a request's chain (every problem verifyChain finds) and, when the data table is reachable,
// cross-checks it against the table's audit rows. One line per problem (ids, seq and event types only), then a
// summary per request.
import type { TableClient } from '@azure/data-tables';
import { verifyChain, type AuditRecord, type ChainVerdict } from '../../src/lib/domain/index.js';
import { sha256Hex } from '../../src/lib/audit-record/index.js';
import { listAllAuditRows, requestsWithAuditSince, type AuditEvent } from '../../src/lib/store/index.js';
import { crossCheck } from './cross-check.js';
import { StoreError } from './store-error.js';

export type Print = (line: string) => void;

export interface CheckedRequest {
  readonly verdict: ChainVerdict;
  readonly lines: readonly string[];
  readonly problems: number;
}

async function tableRows(table: TableClient, requestId: string): Promise<readonly AuditEvent[]> {
  try {
    return await listAllAuditRows(table, requestId);
  } catch (error) {
    throw new StoreError('table', error);
  }
}

async function recordOf(record: AuditRecord, requestId: string): Promise<{ lines: readonly string[]; parts: number }> {
  try {
    const read = await record.read(requestId);
    return { lines: read.lines, parts: read.parts.length };
  } catch (error) {
    throw new StoreError('record', error);
  }
}

export async function verifyRequest(
  record: AuditRecord,
  table: TableClient | undefined,
  requestId: string,
  print: Print,
): Promise<CheckedRequest> {
  const { lines, parts } = await recordOf(record, requestId);
  const verdict = verifyChain(requestId, lines, sha256Hex);
  const rows = table ? await tableRows(table, requestId) : undefined;
  let problems = 0;
  for (const p of verdict.problems) {
    problems += 1;
    const at = [`line=${p.line}`, p.seq !== undefined ? `seq=${p.seq}` : '', p.auditId ? `auditId=${p.auditId}` : ''];
    print(
      `${requestId} ${[...at, p.eventType ? `eventType=${p.eventType}` : ''].filter(Boolean).join(' ')} ${p.kind}: ${p.detail}`,
    );
  }
  for (const p of rows ? crossCheck(verdict.entries, rows) : []) {
    problems += 1;
    const seq = p.seq !== undefined ? `seq=${p.seq} ` : '';
    print(`${requestId} ${seq}auditId=${p.auditId} eventType=${p.eventType} ${p.kind}: ${p.detail}`);
  }
  if (verdict.entries.length === 0 && lines.length === 0 && (rows?.length ?? 0) === 0) {
    problems += 1;
    print(`${requestId} no_record: no audit record and no table rows for this request id`);
  }
  const table_ = rows ? `${rows.length} table rows` : 'table not checked';
  print(
    `${requestId}: ${verdict.entries.length} entries in ${parts} part(s), ${table_}, ${problems} problem(s) — ` +
      (problems === 0 ? 'OK' : 'PROBLEMS'),
  );
  return { verdict, lines, problems };
}

/** Every request whose record or table rows changed since `since`; returns how many had problems. */
export async function verifySince(
  record: AuditRecord,
  table: TableClient | undefined,
  since: Date,
  print: Print,
): Promise<{ readonly requests: number; readonly withProblems: number }> {
  let ids: readonly string[];
  try {
    ids = await record.listChangedSince(since);
  } catch (error) {
    throw new StoreError('record', error);
  }
  let fromTable: readonly string[] = [];
  try {
    fromTable = table ? await requestsWithAuditSince(table, since) : [];
  } catch (error) {
    throw new StoreError('table', error);
  }
  const all = [...new Set([...ids, ...fromTable])].sort();
  let withProblems = 0;
  for (const requestId of all) {
    if ((await verifyRequest(record, table, requestId, print)).problems > 0) withProblems += 1;
  }
  print(`${all.length} request(s) changed since ${since.toISOString()}, ${withProblems} with problems`);
  return { requests: all.length, withProblems };
}
