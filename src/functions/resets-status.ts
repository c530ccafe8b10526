// GET /api/resets/{id}: the request's status, counts per outcome and a page of items (JSON), or every item as CSV.
// 202 + Retry-After while any item is pending (Logic Apps keeps polling), 200 once all are final.
// A caller sees only the requests it created: others' ids and unknown ids are both 404.

import type { HttpHandler, HttpRequest } from '@azure/functions';
import { requireRole, Roles } from '../lib/auth/index.js';
import { toCsv } from '../lib/http/csv-export.js';
import { ProblemException } from '../lib/http/problem.js';
import { json, withProblems } from '../lib/http/respond.js';
import type { RequestSummary, StoredItem } from '../lib/store/ports.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export type GetResetDeps = ResetsHttpDeps;

export const getResetRoute = {
  name: 'resets-status',
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'resets/{id}',
} as const;

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const badQuery = (field: string, message: string): ProblemException =>
  new ProblemException({
    slug: 'validation-failed',
    status: 400,
    title: 'Bad Request',
    detail: 'The request has problems; every one is listed in errors.',
    errors: [{ field, message }],
  });

/** The API view of an item: type and id of methods only (never phone numbers or addresses). */
function itemView(item: StoredItem) {
  return {
    index: item.index,
    user: item.userKey,
    ...(item.userId ? { userId: item.userId } : {}),
    ticket: item.ticket,
    status: item.status,
    ...(item.outcome ? { outcome: item.outcome } : {}),
    methodsRemoved: item.methodsRemoved.map((m) => ({ type: m.type, id: m.id })),
    ...(item.methodsRemaining.length > 0
      ? { methodsRemaining: item.methodsRemaining.map((m) => ({ type: m.type, id: m.id })) }
      : {}),
    ...(item.methodsPlanned ? { methodsPlanned: item.methodsPlanned.map((m) => ({ type: m.type, id: m.id })) } : {}),
    ...(item.protectedReason ? { protectedReason: item.protectedReason } : {}),
    ...(item.error ? { error: { code: item.error.code, message: item.error.message } } : {}),
    sessionsRevoked: item.sessionsRevoked,
    attempts: item.attempts,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.startedAt ? { startedAt: item.startedAt } : {}),
    ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
  };
}

function summaryView(summary: RequestSummary) {
  const r = summary.request;
  return {
    id: r.id,
    status: summary.status,
    createdAt: r.createdAt,
    updatedAt: summary.updatedAt,
    ...(summary.status === 'completed' ? { completedAt: r.completedAt ?? summary.updatedAt } : {}),
    ticket: r.ticket,
    reason: r.reason,
    ...(r.requestedBy ? { requestedBy: r.requestedBy } : {}),
    source: r.source,
    options: r.options,
    total: summary.total,
    pending: summary.pending,
    counts: summary.counts,
  };
}

const CSV_HEADER = [
  'index',
  'user',
  'userId',
  'ticket',
  'status',
  'outcome',
  'methodsRemoved',
  'methodsRemaining',
  'methodsPlanned',
  'protectedReason',
  'errorCode',
  'errorMessage',
  'sessionsRevoked',
  'attempts',
  'startedAt',
  'finishedAt',
];

const methodsCell = (methods: readonly { type: string; id: string }[]): string =>
  methods.map((m) => `${m.type}:${m.id}`).join(';');

function csvRow(item: StoredItem): string[] {
  return [
    String(item.index),
    item.userKey,
    item.userId ?? '',
    item.ticket,
    item.status,
    item.outcome ?? '',
    methodsCell(item.methodsRemoved),
    methodsCell(item.methodsRemaining),
    methodsCell(item.methodsPlanned ?? []),
    item.protectedReason ?? '',
    item.error?.code ?? '',
    item.error?.message ?? '',
    String(item.sessionsRevoked),
    String(item.attempts),
    item.startedAt ?? '',
    item.finishedAt ?? '',
  ];
}

function pageOf(request: HttpRequest): number {
  const raw = request.query.get('page');
  if (raw === null) return 1;
  if (!/^[1-9]\d{0,6}$/.test(raw)) throw badQuery('page', 'must be a whole number from 1');
  return Number(raw);
}

export function makeGetResetHandler(deps: GetResetDeps): HttpHandler {
  return withProblems('resets-status', async (request) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    requireRole(principal, Roles.read);
    const id = request.params.id ?? '';
    if (!REQUEST_ID.test(id)) throw badQuery('id', 'must be a request id (a GUID, as returned by POST /api/resets)');
    const format = request.query.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badQuery('format', 'must be json or csv');
    const page = pageOf(request);

    const stored = await deps.store.getRequestForCaller(id.toLowerCase(), principal.caller);
    if (!stored) {
      throw new ProblemException({
        slug: 'not-found',
        status: 404,
        title: 'Not Found',
        detail: 'No reset request with this id was created by this caller.',
      });
    }
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
      const rows: string[][] = [CSV_HEADER];
      for await (const item of deps.store.iterateItems(stored)) rows.push(csvRow(item));
      return {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="reset-${stored.id}.csv"`,
          'x-reset-status': summary.status,
        },
        body: toCsv(rows),
      };
    }

    const itemPage = await deps.store.listItems(stored, page);
    const next =
      page < itemPage.pages
        ? (() => {
            const url = new URL(request.url);
            url.searchParams.set('page', String(page + 1));
            return url.toString();
          })()
        : undefined;
    return json(
      status,
      {
        ...summaryView(summary),
        items: itemPage.items.map(itemView),
        page: itemPage.page,
        pageSize: itemPage.pageSize,
        pages: itemPage.pages,
        ...(next ? { nextPage: next } : {}),
      },
      pollHeaders,
    );
  });
}
