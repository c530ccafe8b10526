// Property tests on the intake's validators and the CSV export, in process: every generated JSON body and CSV file
// is either accepted with well-formed items or refused with problems that each name a field or a line; nothing
// throws. Every exported cell is safe to open in a spreadsheet and parses back to the value it came from.
// (test/security/intake-http.property.test.ts sends the same kind of inputs through HTTP.)
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { isGuid, isUpn } from '../../src/lib/domain/index.js';
import { escapeCell, toCsv, unescapeCell } from '../../src/lib/http/csv-export.js';
import { parseCsvRequest, parseJsonRequest } from '../../src/lib/requests/index.js';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import { csvInputArb, jsonInputArb } from './input-arbitraries.js';
import { propertyRuns } from './property-runs.js';

const knownUsers = [
  'peggy.plain@contoso.example',
  'Default.Push@contoso.example',
  '0f0e1d2c-3b4a-4596-8877-665544332211',
];
const maxUsers = 50;
const formulaStart = /^[=+\-@\t\r\0]/;

/** The body as the handler hands it over: an async stream of chunks. */
async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield await Promise.resolve(bytes);
}

function checkItems(items: readonly { userKey: string; ticket: string; reason: string }[]): void {
  expect(items.length).toBeGreaterThan(0);
  expect(items.length).toBeLessThanOrEqual(maxUsers);
  const keys = items.map((i) => i.userKey);
  expect(new Set(keys).size).toBe(keys.length);
  for (const key of keys) {
    expect(isUpn(key) || isGuid(key), `item user ${JSON.stringify(key)}`).toBe(true);
    expect(key).toBe(key.toLowerCase());
  }
}

describe('request validators (property)', () => {
  it(
    `JSON bodies: accepted with valid items or refused naming every problem, never a throw (${propertyRuns.validators} runs)`,
    { timeout: 300_000 },
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(jsonInputArb(knownUsers), (input) => {
          let body: unknown;
          try {
            body = JSON.parse(input.body);
          } catch {
            return; // not JSON: the handler answers 400 before the validator (checked over HTTP)
          }
          const result = parseJsonRequest(body, maxUsers);
          if (result.ok) {
            accepted += 1;
            checkItems(result.request.items);
            expect(result.request.options.methods).toBeDefined();
          } else {
            expect(result.errors.length).toBeGreaterThan(0);
            for (const e of result.errors) {
              expect(typeof e.message).toBe('string');
              expect(e.message.length).toBeGreaterThan(0);
              expect(e.field ?? e.line).toBeDefined();
            }
          }
        }),
        { numRuns: propertyRuns.validators },
      );
      // The generator must reach the accepting branch often enough to mean something.
      expect(accepted).toBeGreaterThan(propertyRuns.validators / 50);
    },
  );

  it(
    `CSV files: accepted with valid items or refused with line numbers, never a throw (${propertyRuns.csvValidator} runs)`,
    { timeout: 300_000 },
    async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(csvInputArb(knownUsers), async (input) => {
          const chunks = oneChunk(Buffer.from(input.body, 'utf8'));
          const result = await parseCsvRequest(chunks, { maxRows: maxUsers, resetOptions: defaultResetOptions });
          if (result.ok) {
            accepted += 1;
            checkItems(result.request.items);
          } else {
            expect(result.errors.length).toBeGreaterThan(0);
            expect(result.totalErrors).toBeGreaterThanOrEqual(result.errors.length);
            for (const e of result.errors) expect(e.message.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: propertyRuns.csvValidator },
      );
      expect(accepted).toBeGreaterThan(propertyRuns.csvValidator / 50);
    },
  );
});

describe('CSV export (property)', () => {
  const cell = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc
      .tuple(
        fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\0', "'", '"', ',', '\n', ' '),
        fc.string({ maxLength: 12 }),
      )
      .map(([a, b]) => a + b),
  );

  it(
    `never begins a cell with a formula character, and parses back to the same values (${propertyRuns.export} runs)`,
    { timeout: 300_000 },
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
          (rows) => {
            const width = rows[0]?.length ?? 0;
            const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
            const text = toCsv(table);
            const parsed: string[][] = parse(text, { relax_quotes: false, skip_empty_lines: false });
            expect(parsed).toHaveLength(table.length);
            for (const [r, row] of parsed.entries()) {
              for (const [c, value] of row.entries()) {
                expect(formulaStart.test(value), `cell ${r},${c} = ${JSON.stringify(value)}`).toBe(false);
                expect(unescapeCell(value)).toBe(table[r]?.[c]);
              }
            }
          },
        ),
        { numRuns: propertyRuns.export },
      );
    },
  );

  it('escapes each formula character named by ASVS 5.0 1.2.10 and nothing else', () => {
    for (const first of ['=', '+', '-', '@', '\t', '\r', '\0']) expect(escapeCell(`${first}1`)).toBe(`'${first}1`);
    for (const safe of ['INC0012345', 'reset', 'a=b', ' =1', '']) expect(escapeCell(safe)).toBe(safe);
  });
});
