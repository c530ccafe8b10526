// CSV syntax errors are reported in our words with line and column, never with the parser's text: csv-parse quotes
// the cell it was reading (INVALID_OPENING_QUOTE), and the API never echoes a submitted value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import { parseCsvRequest } from '../../src/lib/requests/index.js';

const SENTINEL = 'Zq7SentinelCell';
const header = 'user,ticket,reason\n';

async function problems(body: string) {
  const result = await parseCsvRequest([Buffer.from(body)], { maxRows: 50, resetOptions: defaultResetOptions });
  if (result.ok) throw new Error('expected the upload to be refused');
  return result;
}

describe('CSV syntax errors', () => {
  it.each([
    [
      'a quote opening mid-cell',
      `${header}ok@contoso.com,INC1,other\n${SENTINEL}"x@contoso.com,INC1,other\n`,
      {
        line: 3,
        message:
          'is not valid CSV: a quote opens in the middle of a field (column 1); quote a whole field and double any ' +
          'quote inside it ("")',
      },
    ],
    [
      'text after a closing quote',
      `${header}ok@contoso.com,"${SENTINEL}"x,other\n`,
      {
        line: 2,
        message:
          'is not valid CSV: a quoted field (column 2) goes on after its closing quote; quote a whole field and ' +
          'double any quote inside it ("")',
      },
    ],
    [
      'a space then text after a closing quote',
      `${header}"${SENTINEL}" x,INC1,other\n`,
      {
        line: 2,
        message:
          'is not valid CSV: a quoted field (column 1) goes on after its closing quote; quote a whole field and ' +
          'double any quote inside it ("")',
      },
    ],
    [
      'a quote never closed',
      `${header}"${SENTINEL},INC1,other\n`,
      { line: 2, message: 'is not valid CSV: the upload ends inside a quoted field: a quote is never closed' },
    ],
    [
      'a row over the size limit',
      `${header}${SENTINEL.repeat(700)},INC1,other\n`,
      { line: 2, message: 'is not valid CSV: the row is longer than 8192 bytes' },
    ],
  ])('%s: our message with the line, and not a character of the cell', async (_, body, expected) => {
    const result = await problems(body);
    expect(result.errors).toEqual([expected]);
    expect(JSON.stringify(result)).not.toContain(SENTINEL.slice(0, 4));
  });

  it('never echoes a cell, whatever the malformed upload', async () => {
    const fragment = fc.constantFrom('"', ',', '\n', ' ', 'a', '""', SENTINEL, `${SENTINEL}"`, `"${SENTINEL}`);
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { maxLength: 30 }), async (parts) => {
        const body = `${header}${parts.join('')}`;
        const result = await parseCsvRequest([Buffer.from(body)], { maxRows: 50, resetOptions: defaultResetOptions });
        if (!result.ok) expect(JSON.stringify(result.errors)).not.toContain(SENTINEL);
      }),
      { numRuns: 300 },
    );
  });
});
