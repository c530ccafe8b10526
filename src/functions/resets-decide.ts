// POST /api/resets/{id}/approve and POST /api/resets/{id}/reject (Resets.Approve): a second person decides on a
// request that waits for approval. The decider must be another identity than the submitter (token `oid`). Approve
// queues the work; reject ends every item `rejected`. Repeating one's own decision is harmless (200); a different
// decision after one was made, or one after the window ended, is 409.

import { z } from 'zod';
import { requireRole } from '../lib/auth/index.js';
import { deciderRefusal, isGuid, Roles, type ApprovalDecision } from '../lib/domain/index.js';
import { invalidRequest, ProblemException } from '../lib/http/problem.js';
import { parseJsonBody, requiredText } from '../lib/http/json-body.js';
import { requesterOf } from '../lib/http/requester.js';
import { json } from '../lib/http/respond.js';
import { approvalView } from '../lib/http/status-views.js';
import type { StoredRequest } from '../lib/store/ports.js';
import type { HttpHandler } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import { handOff, type SubmitResetsDeps } from './resets-submit.js';

export const approveResetRoute = {
  name: 'resets-approve',
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'resets/{id}/approve',
} as const;

export const rejectResetRoute = {
  name: 'resets-reject',
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'resets/{id}/reject',
} as const;

const bodies = {
  approved: z.strictObject({ comment: requiredText('a comment').optional() }),
  rejected: z.strictObject({ comment: requiredText('why the request is rejected') }),
} as const;

const conflict = (slug: string, detail: string, request: StoredRequest): ProblemException =>
  new ProblemException({
    slug,
    status: 409,
    title: 'Conflict',
    detail,
    extensions: {
      requestId: request.id,
      ...(request.approval ? { approval: approvalView(request.approval, request.caller) } : {}),
    },
  });

export function makeDecideResetHandler(deps: SubmitResetsDeps, decision: ApprovalDecision): HttpHandler {
  const name = decision === 'approved' ? approveResetRoute.name : rejectResetRoute.name;
  return withProblems(name, async (request, context) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    requireRole(principal, Roles.approve);
    const id = (request.params.id ?? '').toLowerCase();
    if (!isGuid(id)) {
      throw invalidRequest([
        { field: 'id', message: 'must be a request id (a GUID, as returned by POST /api/resets)' },
      ]);
    }
    const body = await parseJsonBody(request, bodies[decision]);
    const stored = await deps.store.getRequest(id);
    if (!stored || !deps.store.decideApproval) {
      throw new ProblemException({
        slug: 'not-found',
        status: 404,
        title: 'Not Found',
        detail: 'No reset request with this id.',
      });
    }
    if (!stored.approval) {
      throw conflict('approval-not-required', 'This request did not need approval; nothing to decide.', stored);
    }
    const refusal = deciderRefusal(stored.caller, principal.caller);
    if (refusal) {
      throw new ProblemException({
        slug: refusal === 'self_approval' ? 'self-approval' : 'approver-unverifiable',
        status: 403,
        title: 'Forbidden',
        detail:
          refusal === 'self_approval'
            ? 'The submitter cannot approve or reject its own request: another identity with Resets.Approve must.'
            : 'The token (or the submitter) carries no object id (oid), so the approver cannot be told apart from ' +
              'the submitter; nothing was decided.',
        extensions: { reason: refusal },
      });
    }

    const by = requesterOf(principal, request.headers);
    const result = await deps.store.decideApproval(id, decision, by, body.comment);
    if (!result) throw new Error(`request ${id} vanished while being decided`);
    const after = result.request;
    if (!result.decided) {
      if (after.cancelledAt) {
        throw conflict('approval-decided', 'This request was cancelled; there is nothing left to decide.', after);
      }
      const state = after.approval?.state;
      const mine = state === decision && after.approval?.decidedBy?.objectId === principal.caller.objectId;
      if (state === 'expired') {
        throw conflict(
          'approval-expired',
          `The approval window ended at ${after.approval?.expiresAt}; every item ended expired. Submit a new request.`,
          after,
        );
      }
      if (!mine) throw conflict('approval-decided', `This request was already ${state ?? 'decided'}.`, after);
    }
    if (decision === 'approved' && after.phase === 'accepted') await handOff(deps, after, context);
    context.info(
      `event=reset_request_${decision} requestId=${id} app=${principal.caller.appId} repeat=${!result.decided}`,
    );
    const summary = await deps.store.getSummary((await deps.store.getRequest(id)) ?? after);
    return json(200, {
      id,
      status: summary.status,
      approval: after.approval ? approvalView(after.approval, after.caller) : undefined,
      total: summary.total,
      pending: summary.pending,
      counts: summary.counts,
    });
  });
}
