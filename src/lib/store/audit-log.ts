// The audit trail: how an audit row is built (the transitions write it in their own transaction), and reading a
// request's rows back, oldest first. Rows carry ids, codes and method references only, never contact details. Every
// row says who asked: the verified requester, and apart from it what the caller claimed (src/lib/domain/requester.ts).

import { randomUUID } from 'node:crypto';
import type { ItemOutcome } from '../domain/index.js';
import { auditFromEntity } from './entities.js';
import { odataString, requestPartition } from './keys.js';
import type { Requester } from '../domain/index.js';
import type { AuditEvent, AuditEventType } from './ports.js';
import { nowIso, type TableContext } from './table-context.js';

/** The request an audit row belongs to (a StoredRequest is one; an item passes its own ticket and requestedBy). */
export interface AuditSubject {
  readonly id: string;
  readonly requester: Requester;
  readonly ticket: string;
  /** The caller's claim of who asked (free text it sent): recorded as claimed, never as the requester. */
  readonly requestedBy?: string;
  readonly correlationId?: string;
}

export function auditEvent(
  ctx: Pick<TableContext, 'now'>,
  type: AuditEventType,
  request: AuditSubject,
  fields: Partial<AuditEvent>,
): AuditEvent {
  return {
    schemaVersion: '2.0',
    auditId: randomUUID(),
    eventType: type,
    eventTime: nowIso(ctx),
    requestId: request.id,
    requester: request.requester,
    ...(request.requestedBy ? { claimed: { requestedBy: request.requestedBy } } : {}),
    ticket: request.ticket,
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
    ...fields,
  };
}

/** The event that records an item becoming final with this outcome. */
export function auditTypeFor(outcome: ItemOutcome): AuditEventType {
  if (outcome === 'failed') return 'ResetFailed';
  if (outcome === 'protected') return 'Rejected';
  if (outcome === 'cancelled') return 'ItemCancelled';
  if (outcome === 'expired') return 'ItemExpired';
  if (outcome === 'rejected') return 'ItemRejected';
  if (outcome === 'skipped_recently_reset') return 'ResetSkipped';
  return 'ResetCompleted';
}

/** Every audit row of a request (request-level and item-level), oldest first. */
export async function listAudit(ctx: TableContext, requestId: string): Promise<readonly AuditEvent[]> {
  await ctx.ensureTable();
  const events: AuditEvent[] = [];
  const rowRange = `RowKey ge 'audit|' and RowKey lt 'audit|~'`;
  const filters = [
    `PartitionKey eq ${odataString(requestPartition(requestId))} and ${rowRange}`,
    `PartitionKey ge ${odataString(`item|${requestId}|`)} and PartitionKey lt ${odataString(`item|${requestId}|~`)} and ${rowRange}`,
  ];
  for (const filter of filters) {
    for await (const row of ctx.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      events.push(auditFromEntity(row));
    }
  }
  return events.sort(
    (a, b) => a.eventTime.localeCompare(b.eventTime) || (a.item ?? -1) - (b.item ?? -1) || (a.seq ?? 0) - (b.seq ?? 0),
  );
}
