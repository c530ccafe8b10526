// Shared shaping of HTTP answers: JSON bodies, and a wrapper turning thrown problems into problem+json.

import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ProblemException, problemResponse } from './problem.js';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** Runs a handler; a ProblemException becomes its problem, anything else a logged 500 (no internals leaked). */
export function withProblems(name: string, handler: Handler): Handler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (e) {
      if (e instanceof ProblemException) return problemResponse(e.problem);
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      context.error(`${name} failed: ${message.replace(/[\r\n]+/g, ' ')}`);
      return problemResponse({
        slug: 'internal-error',
        status: 500,
        title: 'Internal Server Error',
        detail: `The request could not be completed; retry later. Invocation ${context.invocationId}.`,
      });
    }
  };
}
