// The audit record's hash chain, one per request: each entry is one JSON line `{ v, seq, prev, hash, event }`, `seq`
// counts from 1 with no gap, `prev` is the previous entry's hash (for seq 1 a genesis value bound to the request id,
// so a chain cannot be moved to another request), and `hash` covers seq, prev and the event in canonical JSON. Editing,
// removing or reordering an entry breaks the chain at that point. Removing the last entries does not: the chain alone
// cannot tell a truncated tail from a shorter history; the cross-check against the table's audit rows catches that.
// The hash function is a parameter: this folder imports nothing (the adapter passes SHA-256).
import { canonicalJson } from './canonical-json.js';

/** Hex digest of a UTF-8 text (SHA-256 in the adapter). */
export type HashText = (text: string) => string;

/** What the chain needs of an audit event; the rest of the event is hashed but not interpreted. */
export interface ChainEvent {
  readonly auditId: string;
  readonly requestId: string;
  readonly eventType: string;
}

export interface ChainEntry<E extends ChainEvent = ChainEvent> {
  readonly v: 1;
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
  readonly event: E;
}

/** Where a chain ends: what the next entry links to. `seq` 0 and `hash` '' for an empty chain. */
export interface ChainTail {
  readonly seq: number;
  readonly hash: string;
}

export type ChainProblemKind =
  'unparsable' | 'seq_gap' | 'seq_duplicate' | 'broken_link' | 'edited' | 'other_request' | 'duplicate_audit_id';

export interface ChainProblem {
  readonly kind: ChainProblemKind;
  /** 1-based line number in the whole record (all parts in order). */
  readonly line: number;
  readonly seq?: number;
  readonly auditId?: string;
  readonly eventType?: string;
  /** Short and free of personal data: numbers and kinds only. */
  readonly detail: string;
}

export interface ChainVerdict<E extends ChainEvent = ChainEvent> {
  /** Every entry that parsed, in record order (problems or not). */
  readonly entries: readonly ChainEntry<E>[];
  readonly problems: readonly ChainProblem[];
  readonly tail: ChainTail;
}

/** The `prev` of seq 1: binds the chain to its request. */
export const chainGenesis = (requestId: string, hash: HashText): string => hash(`mfa-reset-audit/v1|${requestId}`);

export const entryHash = (seq: number, prev: string, event: ChainEvent, hash: HashText): string =>
  hash(`${seq}|${prev}|${canonicalJson(event)}`);

/** Chains `events` after `tail`; returns the entries and the new tail. */
export function chainEntries<E extends ChainEvent>(
  requestId: string,
  tail: ChainTail,
  events: readonly E[],
  hash: HashText,
): { readonly entries: readonly ChainEntry<E>[]; readonly tail: ChainTail } {
  const entries: ChainEntry<E>[] = [];
  let seq = tail.seq;
  let prev = tail.seq === 0 ? chainGenesis(requestId, hash) : tail.hash;
  for (const event of events) {
    seq += 1;
    const entryHashValue = entryHash(seq, prev, event, hash);
    entries.push({ v: 1, seq, prev, hash: entryHashValue, event });
    prev = entryHashValue;
  }
  return { entries, tail: entries.length === 0 ? tail : { seq, hash: prev } };
}

/** The JSON line of an entry (with its newline). Members in a fixed order so the line is readable. */
export const entryLine = (entry: ChainEntry): string =>
  `${JSON.stringify({ v: entry.v, seq: entry.seq, prev: entry.prev, hash: entry.hash, event: entry.event })}\n`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one line into an entry, or undefined when it is not one. */
export function parseEntry(line: string): ChainEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value.v !== 1) return undefined;
  const { seq, prev, hash, event } = value;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || typeof prev !== 'string' || typeof hash !== 'string')
    return undefined;
  if (!isObject(event) || typeof event.auditId !== 'string' || typeof event.requestId !== 'string') return undefined;
  if (typeof event.eventType !== 'string') return undefined;
  return { v: 1, seq, prev, hash, event: event as unknown as ChainEvent };
}

/** Splits a record's text into its lines (a final newline ends the last line; it does not start an empty one). */
export const recordLines = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

/**
 * Every problem of a request's record, in line order. Each entry is checked against the one before it as stored, so
 * one edited entry reports once (its own hash) and once for the link that follows it, and the rest stays checkable.
 */
export function verifyChain(requestId: string, lines: readonly string[], hash: HashText): ChainVerdict {
  const problems: ChainProblem[] = [];
  const entries: ChainEntry[] = [];
  const seen = new Set<string>();
  let previous: ChainEntry | undefined;
  lines.forEach((text, i) => {
    const line = i + 1;
    const entry = parseEntry(text);
    if (!entry) {
      problems.push({ kind: 'unparsable', line, detail: `line ${line} is not an audit entry` });
      return;
    }
    entries.push(entry);
    const at = { line, seq: entry.seq, auditId: entry.event.auditId, eventType: entry.event.eventType };
    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (entry.seq < expectedSeq)
      problems.push({ kind: 'seq_duplicate', ...at, detail: `seq ${entry.seq} again after seq ${expectedSeq - 1}` });
    else if (entry.seq > expectedSeq)
      problems.push({ kind: 'seq_gap', ...at, detail: `seq ${expectedSeq}..${entry.seq - 1} missing` });
    const expectedPrev = previous ? previous.hash : chainGenesis(requestId, hash);
    if (entry.prev !== expectedPrev)
      problems.push({
        kind: 'broken_link',
        ...at,
        detail: previous ? `prev is not the hash of seq ${previous.seq}` : 'prev is not the genesis of this request',
      });
    if (entryHash(entry.seq, entry.prev, entry.event, hash) !== entry.hash)
      problems.push({ kind: 'edited', ...at, detail: 'hash does not match the entry' });
    if (entry.event.requestId !== requestId)
      problems.push({ kind: 'other_request', ...at, detail: 'event of another request' });
    if (seen.has(entry.event.auditId))
      problems.push({ kind: 'duplicate_audit_id', ...at, detail: 'auditId already in the chain' });
    seen.add(entry.event.auditId);
    previous = entry;
  });
  return { entries, problems, tail: previous ? { seq: previous.seq, hash: previous.hash } : { seq: 0, hash: '' } };
}
