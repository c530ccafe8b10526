// GET /api/resets/{id}/items/{n}/tap: the Temporary Access Pass of one user of a request, for the caller that
// submitted it and nobody else (approvers and operators included: 404, as for an unknown id). The value is shown
// once; later reads say when it was revealed. 202 + Retry-After while the user's reset is still pending.
import { requireRole } from '../lib/auth/index.js';
import { isGuid, Roles } from '../lib/domain/index.js';
import { invalidRequest, requestNotFound } from '../lib/http/problem.js';
import { requesterOf } from '../lib/http/requester.js';
import { json } from '../lib/http/respond.js';
import { revealTap, tapSummary } from '../lib/tap/tap-reveal.js';
import type { HttpHandler } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export const getItemTapRoute = {
  name: 'resets-item-tap',
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'resets/{id}/items/{n}/tap',
} as const;

export function makeGetItemTapHandler(deps: ResetsHttpDeps): HttpHandler {
  return withProblems('resets-item-tap', async (request) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    requireRole(principal, Roles.read);
    const id = request.params.id ?? '';
    const n = request.params.n ?? '';
    if (!isGuid(id)) {
      throw invalidRequest([
        { field: 'id', message: 'must be a request id (a GUID, as returned by POST /api/resets)' },
      ]);
    }
    if (!/^(0|[1-9]\d{0,6})$/.test(n)) throw invalidRequest([{ field: 'n', message: 'must be an item index from 0' }]);
    // Only the submitter: getRequestForCaller answers undefined for other callers' requests, whatever their roles.
    const stored = await deps.store.getRequestForCaller(id.toLowerCase(), principal.caller);
    if (!stored || Number(n) >= stored.itemCount) throw requestNotFound();
    const item = await deps.store.getItem(stored.id, Number(n));
    if (!item) throw requestNotFound();
    const base = { requestId: stored.id, index: item.index, user: item.userKey, status: item.status };
    if (item.status !== 'final') {
      return json(202, base, {
        location: new URL(request.url).toString(),
        'retry-after': String(deps.limits.statusRetryAfterSeconds),
      });
    }
    const tap = deps.tapUnwrapper
      ? await revealTap(
          { store: deps.store, unwrapper: deps.tapUnwrapper, ...(deps.now ? { now: deps.now } : {}) },
          stored,
          item,
          requesterOf(principal, request.headers),
        )
      : tapSummary(stored, item);
    return json(200, { ...base, ...(item.outcome ? { outcome: item.outcome } : {}), temporaryAccessPass: tap ?? null });
  });
}
