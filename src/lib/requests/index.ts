export { parseJsonRequest } from './json-request.js';
export { parseCsvRequest } from './csv-request.js';
export type { CsvParseResult } from './csv-request.js';
export { optionsFromQuery, hasOptionQuery, resolveOptions } from './options.js';
export { fingerprint, idempotencyKey, parseIdempotencyHeader } from './idempotency.js';
export type { ParsedRequest, ParseResult } from './parsed-request.js';
