// RFC 9457 problem details: every error the HTTP API returns goes through here.

import type { HttpAnswer } from './respond.js';

export interface ProblemError {
  /** JSON pointer-ish field name (`users/3`, `options.methods`) for JSON bodies. */
  readonly field?: string;
  /** 1-based line number for CSV bodies (the header is line 1). */
  readonly line?: number;
  readonly message: string;
}

export interface Problem {
  /** Short slug; the `type` URI is `urn:mfa-reset:problem:{slug}`. */
  readonly slug: string;
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: readonly ProblemError[];
  /** Extra members (e.g. `requestId`, `reason`, `requiredRole`, `totalErrors`). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Longest `errors` list returned; `totalErrors` says how many there were. */
export const MAX_LISTED_ERRORS = 100;

export const problemType = (slug: string): string => `urn:mfa-reset:problem:${slug}`;

export function problemResponse(problem: Problem): HttpAnswer {
  const errors = problem.errors ?? [];
  const body = {
    type: problemType(problem.slug),
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...problem.extensions,
    ...(errors.length > 0
      ? {
          errors: errors.slice(0, MAX_LISTED_ERRORS),
          ...(errors.length > MAX_LISTED_ERRORS ? { totalErrors: errors.length } : {}),
        }
      : {}),
  };
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
    body: JSON.stringify(body),
  };
}

/** An error that carries the problem to answer with; handlers throw it and the wrapper renders it. */
export class ProblemException extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemException';
  }
}

/** 400 naming every problem (the shape every validation failure of the API has). */
export function invalidRequest(errors: readonly ProblemError[], totalErrors?: number): ProblemException {
  return new ProblemException({
    slug: 'validation-failed',
    status: 400,
    title: 'Bad Request',
    detail: 'The request has problems; every one is listed in errors.',
    errors,
    ...(totalErrors !== undefined && totalErrors > errors.length ? { extensions: { totalErrors } } : {}),
  });
}

/** 404 for a request id this caller may not see: unknown ids and other callers' ids answer alike. */
export const requestNotFound = (): ProblemException =>
  new ProblemException({
    slug: 'not-found',
    status: 404,
    title: 'Not Found',
    detail: 'No reset request with this id was created by this caller.',
  });
