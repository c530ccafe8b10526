// What GET /api/resets/{id} shows of a stored request and its items: the JSON views and the CSV export's rows.
// Methods appear as type and id only (never phone numbers or addresses); CSV cells are escaped by toCsv. A protected
// item shows `protected` and no reason: the reason (which kind of admin) stays in the audit row and the operator log,
// so no caller, not even with a dry run over the whole tenant, can map who the admins are. Likewise an error that
// names the worker's Graph permissions shows callers our own sentence (caller-failure.ts).
import type { Approval, CallerRef } from '../domain/index.js';
import type { ItemPage, RequestSummary, StoredCallback, StoredItem } from '../store/ports.js';
import { callerFailure } from './caller-failure.js';
import { toCsv } from './csv-export.js';

/**
 * What a caller may see of the methods a user still has: nothing for a protected user. A dry run over the tenant must
 * not list which administrators hold only a phone number (the audit row keeps the list for the operator).
 */
const remainingShown = (item: StoredItem): StoredItem['methodsRemaining'] =>
  item.outcome === 'protected' ? [] : item.methodsRemaining;

/** The API view of an item. */
export function itemView(item: StoredItem) {
  const remaining = remainingShown(item);
  return {
    index: item.index,
    user: item.userKey,
    ...(item.userId ? { userId: item.userId } : {}),
    ticket: item.ticket,
    status: item.status,
    ...(item.outcome ? { outcome: item.outcome } : {}),
    methodsRemoved: item.methodsRemoved.map((m) => ({ type: m.type, id: m.id })),
    ...(remaining.length > 0
      ? {
          methodsRemaining: remaining.map((m) => ({
            type: m.type,
            id: m.id,
            ...(m.reason ? { reason: m.reason } : {}),
          })),
        }
      : {}),
    ...(item.methodsPlanned ? { methodsPlanned: item.methodsPlanned.map((m) => ({ type: m.type, id: m.id })) } : {}),
    ...(item.error ? { error: callerFailure(item.error) } : {}),
    sessionsRevoked: item.sessionsRevoked,
    ...(item.sessionsNotRevokedReason ? { sessionsNotRevokedReason: item.sessionsNotRevokedReason } : {}),
    attempts: item.attempts,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.startedAt ? { startedAt: item.startedAt } : {}),
    ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
  };
}

const callerView = (c: CallerRef) => ({ appId: c.appId, ...(c.objectId ? { objectId: c.objectId } : {}) });

/** The API view of an approval: its state, who asked (the submitting caller) and when, when it lapses, who decided. */
export function approvalView(approval: Approval, submitter: CallerRef) {
  return {
    state: approval.state,
    askedBy: callerView(submitter),
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    ...(approval.decidedBy ? { decidedBy: callerView(approval.decidedBy) } : {}),
    ...(approval.decidedAt ? { decidedAt: approval.decidedAt } : {}),
    ...(approval.comment ? { comment: approval.comment } : {}),
  };
}

/** The API view of a completion callback: its host and how the delivery stands, never the URL. */
export function callbackView(callback: StoredCallback) {
  return {
    host: callback.host,
    status: callback.status,
    attempts: callback.attempts,
    ...(callback.lastAttemptAt ? { lastAttemptAt: callback.lastAttemptAt } : {}),
    ...(callback.lastStatusCode ? { lastStatusCode: callback.lastStatusCode } : {}),
  };
}

/** The API view of a request: its status, totals and counts per outcome. */
export function summaryView(summary: RequestSummary) {
  const r = summary.request;
  return {
    id: r.id,
    status: summary.status,
    createdAt: r.createdAt,
    updatedAt: summary.updatedAt,
    ...(summary.status === 'completed' ? { completedAt: r.completedAt ?? summary.updatedAt } : {}),
    ...(r.cancelledAt ? { cancelledAt: r.cancelledAt } : {}),
    ...(r.approval ? { approval: approvalView(r.approval, r.caller) } : {}),
    ...(r.callback ? { callback: callbackView(r.callback) } : {}),
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

/** The JSON body of GET /api/resets/{id} (one page); a completion callback sends the final one. */
export function statusDocument(summary: RequestSummary, itemPage: ItemPage, nextPage?: string) {
  return {
    ...summaryView(summary),
    items: itemPage.items.map(itemView),
    page: itemPage.page,
    pageSize: itemPage.pageSize,
    pages: itemPage.pages,
    ...(nextPage ? { nextPage } : {}),
  };
}

export const CSV_HEADER = [
  'index',
  'user',
  'userId',
  'ticket',
  'status',
  'outcome',
  'methodsRemoved',
  'methodsRemaining',
  'methodsPlanned',
  'errorCode',
  'errorMessage',
  'sessionsRevoked',
  'attempts',
  'startedAt',
  'finishedAt',
];

/** `type:id` pairs separated by `;`; a remaining method that stays for a reason is `type:id:reason`. */
export const methodsCell = (methods: readonly { type: string; id: string; reason?: string }[]): string =>
  methods.map((m) => `${m.type}:${m.id}${m.reason ? `:${m.reason}` : ''}`).join(';');

function csvRow(item: StoredItem): string[] {
  return [
    String(item.index),
    item.userKey,
    item.userId ?? '',
    item.ticket,
    item.status,
    item.outcome ?? '',
    methodsCell(item.methodsRemoved),
    methodsCell(remainingShown(item)),
    methodsCell(item.methodsPlanned ?? []),
    item.error?.code ?? '',
    item.error ? callerFailure(item.error).message : '',
    String(item.sessionsRevoked),
    String(item.attempts),
    item.startedAt ?? '',
    item.finishedAt ?? '',
  ];
}

/** Every item as one CSV document (header first, RFC 4180, formula-escaped). */
export async function itemsCsv(items: AsyncIterable<StoredItem>): Promise<string> {
  const rows: string[][] = [CSV_HEADER];
  for await (const item of items) rows.push(csvRow(item));
  return toCsv(rows);
}
