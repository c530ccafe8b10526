// The HTTP triggers' wrapper: a thrown ProblemException becomes its problem+json answer; anything else a logged 500
// that names the invocation and leaks no internals. Our answers (src/lib/http) are plain data the host accepts.
import { ProblemException, problemResponse } from '../../lib/http/problem.js';
import type { HttpRequest, HttpResponseInit, InvocationContext } from './functions-types.js';

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

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
