// The chain math alone (src/lib/domain/audit-chain.ts): every kind of tamper an investigator must see is reported,
// and the one the chain cannot see (entries cut off at the tail) is shown to pass — the table cross-check catches it
// (test/audit/audit-cli.test.ts).
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/audit-record/index.js';
import {
  canonicalJson,
  chainEntries,
  entryLine,
  verifyChain,
  type ChainEvent,
  type ChainProblemKind,
} from '../../src/lib/domain/index.js';

const requestId = '5b0c2a4e-0000-4000-8000-000000000001';
const event = (n: number, request = requestId): ChainEvent & { note: string } => ({
  auditId: `a-${n}`,
  requestId: request,
  eventType: n === 1 ? 'RequestReceived' : 'ItemClaimed',
  note: `n${n}`,
});

function lines(count: number): string[] {
  const { entries } = chainEntries(
    requestId,
    { seq: 0, hash: '' },
    Array.from({ length: count }, (_, i) => event(i + 1)),
    sha256Hex,
  );
  return entries.map((e) => entryLine(e).trimEnd());
}

const kinds = (l: readonly string[]): ChainProblemKind[] =>
  verifyChain(requestId, l, sha256Hex).problems.map((p) => p.kind);

describe('audit chain', () => {
  it('a chain built in several appends verifies, and continues from its tail', () => {
    const first = chainEntries(requestId, { seq: 0, hash: '' }, [event(1), event(2)], sha256Hex);
    const second = chainEntries(requestId, first.tail, [event(3)], sha256Hex);
    const all = [...first.entries, ...second.entries].map((e) => entryLine(e).trimEnd());
    expect(all).toEqual(lines(3));
    const verdict = verifyChain(requestId, all, sha256Hex);
    expect(verdict.problems).toEqual([]);
    expect(verdict.tail).toEqual(second.tail);
    expect(verdict.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('hashes the event in canonical JSON: member order does not matter, content does', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    const reordered = lines(2).map((l) => {
      const v = JSON.parse(l) as { event: Record<string, unknown> };
      const e = v.event;
      return JSON.stringify({
        ...v,
        event: { note: e.note, eventType: e.eventType, requestId: e.requestId, auditId: e.auditId },
      });
    });
    expect(kinds(reordered)).toEqual([]);
  });

  it('detects an edited event (and only there: the link after it still matches the stored hash)', () => {
    const l = lines(4);
    l[1] = l[1].replace('"note":"n2"', '"note":"nX"');
    const problems = verifyChain(requestId, l, sha256Hex).problems;
    expect(problems).toMatchObject([{ kind: 'edited', seq: 2, auditId: 'a-2', line: 2 }]);
  });

  it('detects an edited event whose hash was recomputed: the next link breaks', () => {
    const l = lines(4);
    const forged = chainEntries(
      requestId,
      { seq: 1, hash: (JSON.parse(l[0]) as { hash: string }).hash },
      [{ ...event(2), note: 'nX' }],
      sha256Hex,
    );
    l[1] = entryLine(forged.entries[0]).trimEnd();
    expect(kinds(l)).toEqual(['broken_link']);
    expect(verifyChain(requestId, l, sha256Hex).problems[0]).toMatchObject({ seq: 3, auditId: 'a-3' });
  });

  it('detects an entry deleted in the middle: a gap and a broken link', () => {
    const l = lines(5);
    l.splice(2, 1);
    expect(verifyChain(requestId, l, sha256Hex).problems).toMatchObject([
      { kind: 'seq_gap', seq: 4 },
      { kind: 'broken_link', seq: 4 },
    ]);
  });

  it('detects two entries swapped', () => {
    const l = lines(4);
    [l[1], l[2]] = [l[2], l[1]];
    // Each entry is judged against the one stored before it: 3 after 1, 2 after 3, 4 after 2.
    expect(kinds(l)).toEqual(['seq_gap', 'broken_link', 'seq_duplicate', 'broken_link', 'seq_gap', 'broken_link']);
  });

  it('detects the first entry removed (the genesis binds seq 1 to the request)', () => {
    expect(kinds(lines(3).slice(1))).toEqual(['seq_gap', 'broken_link']);
  });

  it('detects a chain copied from another request, an unparsable line and a duplicated auditId', () => {
    const other = chainEntries('other-request', { seq: 0, hash: '' }, [event(1, 'other-request')], sha256Hex);
    expect(kinds([entryLine(other.entries[0]).trimEnd()])).toEqual(['broken_link', 'other_request']);
    expect(kinds([...lines(2), 'not json'])).toEqual(['unparsable']);
    const first = chainEntries(requestId, { seq: 0, hash: '' }, [event(1)], sha256Hex);
    const again = chainEntries(requestId, first.tail, [event(1)], sha256Hex);
    expect(kinds([...first.entries, ...again.entries].map((e) => entryLine(e).trimEnd()))).toEqual([
      'duplicate_audit_id',
    ]);
  });

  it('cannot see entries cut off at the tail: a truncated chain verifies (the table cross-check catches it)', () => {
    expect(kinds(lines(5).slice(0, 4))).toEqual([]);
  });
});
