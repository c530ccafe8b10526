// GET /api/resets/{id}: the request's status, counts per outcome and a page of items (JSON), or every item as CSV.
// 202 + Retry-After while any item is pending (Logic Apps keeps polling), 200 once all are final.
// A caller sees only the requests it created (others' ids and unknown ids are both 404); approvers and operators see
// every request.

import { requireRole } from '../lib/auth/index.js';
import { isGuid, Roles } from '../lib/domain/index.js';
import { invalidRequest, type ProblemException, requestNotFound } from '../lib/http/problem.js';
import { json } from '../lib/http/respond.js';
import { requesterOf } from '../lib/http/requester.js';
import { itemsCsv, itemView, statusDocument } from '../lib/http/status-views.js';
import { isOwner } from '../lib/store/owner.js';
import type { StoredItem, StoredRequest } from '../lib/store/ports.js';
import { revealTap, tapSummary, type TapView } from '../lib/tap/tap-reveal.js';
import type { HttpHandler, HttpRequest } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export type GetResetDeps = ResetsHttpDeps;

export const getResetRoute = {
  name: 'resets-status',
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'resets/{id}',
} as const;

const badQuery = (field: string, message: string): ProblemException => invalidRequest([{ field, message }]);

function pageOf(request: HttpRequest): number {
  const raw = request.query.get('page');
  if (raw === null) return 1;
  if (!/^[1-9]\d{0,6}$/.test(raw)) throw badQuery('page', 'must be a whole number from 1');
  return Number(raw);
}

export function makeGetResetHandler(deps: GetResetDeps): HttpHandler {
  return withProblems('resets-status', async (request) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    // Approvers review what they are asked to approve, and operators look into any request: both read every request.
    const reviewer = principal.roles.includes(Roles.approve) || principal.roles.includes(Roles.operate);
    if (!reviewer) requireRole(principal, Roles.read);
    const id = request.params.id ?? '';
    if (!isGuid(id)) throw badQuery('id', 'must be a request id (a GUID, as returned by POST /api/resets)');
    const format = request.query.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badQuery('format', 'must be json or csv');
    const page = pageOf(request);

    const stored = reviewer
      ? await deps.store.getRequest(id.toLowerCase())
      : await deps.store.getRequestForCaller(id.toLowerCase(), principal.caller);
    if (!stored) throw requestNotFound();
    const summary = await deps.store.getSummary(stored);
    // Logic Apps keeps polling only while each 202 carries a Location: give it this status URL again.
    const pollHeaders: Record<string, string> =
      summary.pending > 0
        ? {
            location: new URL(`/api/resets/${stored.id}`, request.url).toString(),
            'retry-after': String(deps.limits.statusRetryAfterSeconds),
          }
        : {};
    const status = summary.pending > 0 ? 202 : 200;

    if (format === 'csv') {
      return {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="reset-${stored.id}.csv"`,
          'x-reset-status': summary.status,
        },
        body: await itemsCsv(deps.store.iterateItems(stored)),
      };
    }

    const itemPage = await deps.store.listItems(stored, page);
    // A one-user request shows its Temporary Access Pass to its submitter, once (bulk: GET …/items/{n}/tap).
    const revealTo =
      stored.itemCount === 1 && deps.tapUnwrapper && isOwner(stored, principal.caller)
        ? requesterOf(principal, request.headers)
        : undefined;
    const tapOf = async (item: StoredItem, r: StoredRequest): Promise<TapView | undefined> =>
      revealTo && deps.tapUnwrapper
        ? revealTap(
            { store: deps.store, unwrapper: deps.tapUnwrapper, ...(deps.now ? { now: deps.now } : {}) },
            r,
            item,
            revealTo,
          )
        : tapSummary(r, item);
    const items = await Promise.all(
      itemPage.items.map(async (item) => {
        const tap = await tapOf(item, stored);
        return { ...itemView(item), ...(tap ? { temporaryAccessPass: tap } : {}) };
      }),
    );
    const next =
      page < itemPage.pages
        ? (() => {
            const url = new URL(request.url);
            url.searchParams.set('page', String(page + 1));
            return url.toString();
          })()
        : undefined;
    // The same document a completion callback carries, with each item's pass (or what became of it) added.
    return json(status, { ...statusDocument(summary, itemPage, next), items }, pollHeaders);
  });
}
