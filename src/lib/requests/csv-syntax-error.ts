// CSV syntax errors in our own words. The parser's messages can quote the field being read (an opening quote in
// the middle of a cell reports the cell's text so far), and the API never echoes a submitted value: only the error's
// code, line and column are used here, never its text.
import type { CsvError } from 'csv-parse';
import type { ProblemError } from '../http/problem.js';

/** Longest row the parser reads (csv-parse's max_record_size). */
export const MAX_CSV_RECORD_SIZE = 8192;

const BAD_QUOTE = 'quote a whole field and double any quote inside it ("")';

function describe(code: CsvError['code'], column: string): string {
  switch (code) {
    case 'INVALID_OPENING_QUOTE':
      return `a quote opens in the middle of a field${column}; ${BAD_QUOTE}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `a quoted field${column} goes on after its closing quote; ${BAD_QUOTE}`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'the upload ends inside a quoted field: a quote is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return `the row is longer than ${MAX_CSV_RECORD_SIZE} bytes`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'the row has a different number of fields than the header';
    default:
      return 'the text cannot be read as CSV (RFC 4180)';
  }
}

/** The problem to report for a parser error: our message, chosen by the error's code, with its line and column. */
export function csvSyntaxProblem(error: CsvError): ProblemError {
  const line = typeof error.lines === 'number' && error.lines > 0 ? error.lines : undefined;
  // The parser counts fields from 0 (column names are not configured, so it is a number when present).
  const column = typeof error.column === 'number' ? ` (column ${error.column + 1})` : '';
  return { ...(line ? { line } : {}), message: `is not valid CSV: ${describe(error.code, column)}` };
}
