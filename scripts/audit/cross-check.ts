// Compares a request's record with the table's audit rows (same auditId = same event). The record is the evidence;
// the table is what the status API serves and what the intake can write. Problems name ids and types only.
import { canonicalJson, type ChainEntry } from '../../src/lib/domain/index.js';
import type { AuditEvent } from '../../src/lib/store/index.js';

export type CrossCheckKind = 'not_in_record' | 'differs_from_table' | 'not_in_table';

export interface CrossCheckProblem {
  readonly kind: CrossCheckKind;
  readonly seq?: number;
  readonly auditId: string;
  readonly eventType: string;
  readonly detail: string;
}

export function crossCheck(entries: readonly ChainEntry[], rows: readonly AuditEvent[]): CrossCheckProblem[] {
  const problems: CrossCheckProblem[] = [];
  const recorded = new Map(entries.map((e) => [e.event.auditId, e]));
  const inTable = new Set<string>();
  for (const row of rows) {
    inTable.add(row.auditId);
    const entry = recorded.get(row.auditId);
    if (!entry) {
      problems.push({
        kind: 'not_in_record',
        auditId: row.auditId,
        eventType: row.eventType,
        detail:
          'table row not in the record: not shipped yet (the worker reconciles within a minute), cut from the ' +
          "record's tail, or forged in the table",
      });
    } else if (canonicalJson(entry.event) !== canonicalJson(row)) {
      problems.push({
        kind: 'differs_from_table',
        seq: entry.seq,
        auditId: row.auditId,
        eventType: entry.event.eventType,
        detail: 'the table row differs from the recorded event: the table row was edited',
      });
    }
  }
  for (const entry of entries) {
    if (!inTable.has(entry.event.auditId))
      problems.push({
        kind: 'not_in_table',
        seq: entry.seq,
        auditId: entry.event.auditId,
        eventType: entry.event.eventType,
        detail: 'recorded event has no table row: the table row was deleted',
      });
  }
  return problems;
}
