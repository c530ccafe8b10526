// The CSV form of POST /api/resets: a header row `user,ticket,reason[,requestedBy]`, one row per user, parsed as a
// stream. Every problem is reported with its line number; duplicate users are collapsed (first row kept).

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import type { ProblemError } from '../http/problem.js';
import { MAX_LISTED_ERRORS } from '../http/problem.js';
import type { NewItem, ResetOptions, ResetReason } from '../domain/index.js';
import { normalizeUserKey, resetReasons } from '../domain/index.js';
import { compromisedRevokeError } from './compromised-rule.js';
import { csvSyntaxProblem, MAX_CSV_RECORD_SIZE } from './csv-syntax-error.js';
import { isTicket, REASON_MESSAGE, REQUESTED_BY_MESSAGE, TICKET_MESSAGE, USER_MESSAGE } from './fields.js';
import type { ParsedRequest } from './parsed-request.js';

const REQUIRED_COLUMNS = ['user', 'ticket', 'reason'] as const;
const OPTIONAL_COLUMNS = ['requestedby'] as const;

export type CsvParseResult =
  | { readonly ok: true; readonly request: ParsedRequest }
  | { readonly ok: false; readonly errors: readonly ProblemError[]; readonly totalErrors: number };

class TooManyRows extends Error {}

interface Columns {
  user: number;
  ticket: number;
  reason: number;
  requestedby?: number;
}

function headerColumns(header: readonly string[], errors: ProblemError[]): Columns | undefined {
  const names = header.map((h) => h.trim().toLowerCase());
  const known = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
  const at: Record<string, number> = {};
  names.forEach((name, i) => {
    if (!known.has(name))
      errors.push({ line: 1, message: `column ${i + 1} is not a known column (user, ticket, reason, requestedBy)` });
    else if (name in at) errors.push({ line: 1, message: `column ${i + 1} repeats the column ${name}` });
    else at[name] = i;
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!(required in at)) errors.push({ line: 1, message: `the header lacks the column ${required}` });
  }
  if (errors.length > 0) return undefined;
  return at as unknown as Columns;
}

/** Parses a CSV body (already limited in size by the caller's chunk source). Never throws on bad input. */
export async function parseCsvRequest(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { readonly maxRows: number; readonly resetOptions: ResetOptions },
): Promise<CsvParseResult> {
  const errors: ProblemError[] = [];
  let totalErrors = 0;
  const fail = (e: ProblemError): void => {
    totalErrors += 1;
    if (errors.length < MAX_LISTED_ERRORS) errors.push(e);
  };
  let columns: Columns | undefined;
  let headerSeen = false;
  // The parser can fail before the rows it read reach us (the header included): then the header is not "missing".
  let syntaxError = false;
  let rows = 0;
  const items: NewItem[] = [];
  const seen = new Set<string>();

  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
    max_record_size: MAX_CSV_RECORD_SIZE,
  });

  try {
    await pipeline(
      Readable.from(chunks),
      parser,
      async (records: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
        for await (const { record, info } of records) {
          const line = info.lines;
          if (!headerSeen) {
            headerSeen = true;
            const headerErrors: ProblemError[] = [];
            columns = headerColumns(record, headerErrors);
            headerErrors.forEach(fail);
            if (!columns) return;
            continue;
          }
          if (!columns) return;
          rows += 1;
          if (rows > options.maxRows) throw new TooManyRows();
          if (record.length !== Object.keys(columns).length) {
            fail({ line, message: `has ${record.length} fields; the header has ${Object.keys(columns).length}` });
            continue;
          }
          const userKey = normalizeUserKey(record[columns.user] ?? '');
          const ticket = (record[columns.ticket] ?? '').trim();
          const reason = (record[columns.reason] ?? '').trim();
          const requestedByRaw = columns.requestedby === undefined ? '' : (record[columns.requestedby] ?? '').trim();
          const requestedBy = requestedByRaw === '' ? undefined : normalizeUserKey(requestedByRaw);
          const rowErrors: string[] = [];
          if (!userKey) rowErrors.push(`user ${USER_MESSAGE}`);
          if (!isTicket(ticket)) rowErrors.push(`ticket ${TICKET_MESSAGE}`);
          if (!(resetReasons as readonly string[]).includes(reason)) rowErrors.push(`reason ${REASON_MESSAGE}`);
          if (requestedByRaw !== '' && !requestedBy) rowErrors.push(`requestedBy ${REQUESTED_BY_MESSAGE}`);
          for (const message of rowErrors) fail({ line, message });
          const ok = rowErrors.length === 0;
          if (!ok || !userKey || seen.has(userKey)) continue;
          seen.add(userKey);
          items.push({ userKey, ticket, reason: reason as ResetReason, ...(requestedBy ? { requestedBy } : {}), line });
        }
      },
    );
  } catch (e) {
    if (e instanceof TooManyRows) {
      fail({ line: rows + 1, message: `the upload has more than ${options.maxRows} rows (MAX_BULK_ROWS); split it` });
    } else if (e instanceof CsvError) {
      // Never the parser's own text: it can quote the cell it was reading.
      fail(csvSyntaxProblem(e));
      syntaxError = true;
    } else throw e;
  }

  if (!headerSeen && !syntaxError)
    fail({ line: 1, message: 'the header row (user,ticket,reason[,requestedBy]) is missing' });
  else if (columns && rows === 0 && totalErrors === 0) fail({ line: 2, message: 'the upload has no rows' });
  if (totalErrors > 0) return { ok: false, errors, totalErrors };

  const first = items[0];
  if (!first) return { ok: false, errors: [{ line: 2, message: 'the upload has no rows' }], totalErrors: 1 };
  const revokeError = compromisedRevokeError(items, options.resetOptions, 'query.revokeSessions');
  if (revokeError) return { ok: false, errors: [revokeError], totalErrors: 1 };
  return {
    ok: true,
    request: {
      source: 'csv',
      ticket: first.ticket,
      reason: first.reason,
      ...(first.requestedBy ? { requestedBy: first.requestedBy } : {}),
      options: options.resetOptions,
      items,
      duplicates: rows - items.length,
    },
  };
}
