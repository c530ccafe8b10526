// What a writer remembers about a request's record between appends: the part it appends to, that part's committed
// length and block count (the append-position condition and the rollover rule use them), the chain's last seq and
// hash, and every auditId already recorded (re-shipping an event is a no-op).
import { parseEntry, recordLines, type ChainTail } from '../domain/index.js';

export interface RecordTail {
  /** 1-based part number; part 1 is `requests/<id>.jsonl`, part n `requests/<id>.<n>.jsonl`. */
  part: number;
  /** Whether the current part's blob exists. */
  exists: boolean;
  /** Committed bytes of the current part. */
  length: number;
  /** Committed blocks of the current part (an append blob takes at most 50,000). */
  blocks: number;
  chain: ChainTail;
  readonly auditIds: Set<string>;
}

export const emptyTail = (): RecordTail => ({
  part: 1,
  exists: false,
  length: 0,
  blocks: 0,
  chain: { seq: 0, hash: '' },
  auditIds: new Set(),
});

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/** Blob name of a part. Request ids are service-made GUIDs; anything else is refused rather than escaped. */
export function partName(requestId: string, part: number): string {
  if (!SAFE_ID.test(requestId)) throw new Error('audit record: not a request id');
  return part === 1 ? `requests/${requestId}.jsonl` : `requests/${requestId}.${part}.jsonl`;
}

/** The request id a part's blob name belongs to (undefined for other blobs). */
export function requestIdOfPart(name: string): string | undefined {
  return /^requests\/([A-Za-z0-9-]+?)(?:\.\d+)?\.jsonl$/.exec(name)?.[1];
}

/** Takes in lines written after the tail (by this writer or another): the chain continues from the last entry. */
export function absorb(tail: RecordTail, text: string): void {
  for (const line of recordLines(text)) {
    const entry = parseEntry(line);
    // An unparsable line is the verifier's to report; the writer appends after the last entry it can read.
    if (!entry) continue;
    tail.chain = { seq: entry.seq, hash: entry.hash };
    tail.auditIds.add(entry.event.auditId);
  }
}
