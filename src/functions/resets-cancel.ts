// POST /api/resets/{id}/cancel: the submitting caller (a submit role) or an operator (Resets.Operate) stops a
// request. Items not started end `cancelled`; an item a worker is carrying out finishes its user and is listed in
// `finishing`. Repeating it is harmless. Another caller's request is 404 for a submitter, as in GET.

import { requireRole } from '../lib/auth/index.js';
import { isGuid, Roles } from '../lib/domain/index.js';
import { invalidRequest, requestNotFound } from '../lib/http/problem.js';
import { requesterOf } from '../lib/http/requester.js';
import { json } from '../lib/http/respond.js';
import type { HttpHandler } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export const cancelResetRoute = {
  name: 'resets-cancel',
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'resets/{id}/cancel',
} as const;

export function makeCancelResetHandler(deps: ResetsHttpDeps): HttpHandler {
  return withProblems('resets-cancel', async (request, context) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    const operator = principal.roles.includes(Roles.operate);
    const submitter = principal.roles.includes(Roles.submit) || principal.roles.includes(Roles.submitBulk);
    if (!operator && !submitter) requireRole(principal, Roles.operate);
    const id = (request.params.id ?? '').toLowerCase();
    if (!isGuid(id)) {
      throw invalidRequest([
        { field: 'id', message: 'must be a request id (a GUID, as returned by POST /api/resets)' },
      ]);
    }
    const owned = operator
      ? await deps.store.getRequest(id)
      : await deps.store.getRequestForCaller(id, principal.caller);
    if (!owned || !deps.store.cancelRequest) throw requestNotFound();
    const result = await deps.store.cancelRequest(id, requesterOf(principal, request.headers));
    if (!result) throw requestNotFound();
    const summary = await deps.store.getSummary(result.request);
    context.info(
      `event=reset_request_cancelled requestId=${id} cancelled=${result.cancelled} finishing=${result.finishing.length} app=${principal.caller.appId} operator=${operator}`,
    );
    return json(200, {
      id: result.request.id,
      status: summary.status,
      cancelledAt: result.request.cancelledAt,
      total: summary.total,
      pending: summary.pending,
      counts: summary.counts,
      cancelled: result.cancelled,
      finishing: result.finishing,
    });
  });
}
