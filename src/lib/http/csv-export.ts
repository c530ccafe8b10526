// CSV export with formula-injection escaping (OWASP ASVS 5.0 1.2.10, CWE-1236): a cell starting with = + - @, their
// fullwidth forms ＝ ＋ － ＠ (spreadsheets read those as the ASCII signs too), tab, CR, NUL or a single quote gets a
// leading single quote. The escape is reversible (unescapeCell), so the export still round-trips through any RFC 4180
// parser.

import { stringify } from 'csv-stringify/sync';

const RISKY_FIRST = new Set([
  '=',
  '+',
  '-',
  '@',
  '\uff1d', // ＝ fullwidth equals sign
  '\uff0b', // ＋ fullwidth plus sign
  '\uff0d', // － fullwidth hyphen-minus
  '\uff20', // ＠ fullwidth commercial at
  '\t',
  '\r',
  '\0',
  "'",
]);

export function escapeCell(value: string): string {
  return value.length > 0 && RISKY_FIRST.has(value[0]) ? `'${value}` : value;
}

export function unescapeCell(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

/** RFC 4180 CSV (CRLF line ends, quotes where needed), every cell escaped. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((row) => row.map(escapeCell)),
    { record_delimiter: 'windows', quoted_match: /[\r\n\t]/ },
  );
}
