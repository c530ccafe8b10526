import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { escapeCell, toCsv, unescapeCell } from '../../src/lib/http/csv-export.js';

// The ASCII formula signs, their fullwidth forms (＝＋－＠, which spreadsheets evaluate too), and control characters.
const FORMULA_FIRST = ['=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20', '\t', '\r', '\0'];
// Strings biased towards the dangerous first characters, quotes, separators and line breaks.
const cell = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc
    .tuple(fc.constantFrom(...FORMULA_FIRST, "'", '"', ',', '\n'), fc.string({ maxLength: 20 }))
    .map(([first, rest]) => first + rest),
);

describe('CSV export', () => {
  it('never lets a cell start with a formula character, and round-trips', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }), (rows) => {
        const csv = toCsv(rows);
        const parsed: string[][] = parse(csv, { record_delimiter: '\r\n' });
        expect(parsed).toHaveLength(rows.length);
        for (const row of parsed) {
          for (const value of row) {
            if (value.length > 0) expect(FORMULA_FIRST).not.toContain(value[0]);
          }
        }
        expect(parsed.map((r) => r.map(unescapeCell))).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes the fullwidth formula signs like the ASCII ones', () => {
    expect(['＝1+1', '＋1', '－1', '＠SUM(A1)'].map(escapeCell)).toEqual(["'＝1+1", "'＋1", "'－1", "'＠SUM(A1)"]);
    expect(toCsv([['＝HYPERLINK("x")', 'ok']])).toBe(`"'＝HYPERLINK(""x"")",ok\r\n`);
    // Other fullwidth characters are data.
    expect(escapeCell('＃1')).toBe('＃1');
  });

  it('escapes exactly the risky first characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const escaped = escapeCell(s);
        const risky = s.length > 0 && [...FORMULA_FIRST, "'"].includes(s[0]);
        expect(escaped).toBe(risky ? `'${s}` : s);
        expect(unescapeCell(escaped)).toBe(s);
      }),
    );
  });
});
