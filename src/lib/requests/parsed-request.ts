import type { NewItem, ResetOptions, ResetReason } from '../domain/index.js';
import type { ProblemError } from '../http/problem.js';

/** A validated reset request, whatever form it came in. Items are de-duplicated by user (first one kept). */
export interface ParsedRequest {
  readonly source: 'json' | 'csv';
  readonly ticket: string;
  readonly reason: ResetReason;
  readonly requestedBy?: string;
  readonly options: ResetOptions;
  readonly items: readonly NewItem[];
  /** Duplicate users dropped (reported in the 202 body). */
  readonly duplicates: number;
}

export type ParseResult =
  | { readonly ok: true; readonly request: ParsedRequest }
  | { readonly ok: false; readonly errors: readonly ProblemError[] };
