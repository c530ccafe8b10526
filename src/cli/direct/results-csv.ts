// The results CSV of a --direct run: the columns of the service's CSV export (GET /api/resets/{id}?format=csv, built
// by src/lib/http/status-views.ts) so one spreadsheet or script reads both, escaped by the same toCsv. The admin at
// the terminal sees Graph's own failure messages (the service shows callers its own sentence instead). No pass value
// is ever written here.
import { writeFile } from 'node:fs/promises';
import { toCsv } from '../../lib/http/csv-export.js';
import { CSV_HEADER, methodsCell } from '../../lib/http/status-views.js';
import type { UserRun } from './run-users.js';

export function resultRow(run: UserRun): string[] {
  const r = run.result;
  const byColumn: Readonly<Record<string, string>> = {
    index: String(run.index),
    user: run.item.userKey,
    userId: r.userId ?? '',
    ticket: run.item.ticket,
    status: 'final',
    outcome: r.outcome,
    methodsRemoved: methodsCell(r.methodsRemoved),
    // As the service's export: a protected user's remaining methods are not listed.
    methodsRemaining: methodsCell(r.outcome === 'protected' ? [] : r.methodsRemaining),
    methodsPlanned: methodsCell(r.planned),
    errorCode: r.error?.code ?? '',
    errorMessage: r.error?.message ?? '',
    sessionsRevoked: String(r.sessionsRevoked),
    attempts: String(run.attempts),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
  return CSV_HEADER.map((column) => byColumn[column] ?? '');
}

/** Writes every user's row (header first); refuses to overwrite an existing file. */
export async function writeResultsCsv(path: string, runs: readonly UserRun[]): Promise<void> {
  await writeFile(path, toCsv([[...CSV_HEADER], ...runs.map(resultRow)]), { flag: 'wx', mode: 0o600 });
}
