// The audit trail: how an audit row is built (the transitions write it in their own transaction), and reading a
// request's rows back, oldest first. Rows carry ids, codes and method references only, never contact details.

import { randomUUID } from 'node:crypto';
import type { ItemOutcome } from '../domain/index.js';
import { auditFromEntity } from './entities.js';
import { odataString, requestPartition } from './keys.js';
import type { CallerRef } from '../domain/index.js';
import type { AuditEvent, AuditEventType } from './ports.js';
import { nowIso, type TableContext } from './table-context.js';

/** The request an audit row belongs to. */
export interface AuditSubject {
  readonly id: string;
  readonly caller: CallerRef;
  readonly ticket: string;
  readonly correlationId?: string;
}

export function auditEvent(
  ctx: Pick<TableContext, 'now'>,
  type: AuditEventType,
  request: AuditSubject,
  fields: Partial<AuditEvent>,
): AuditEvent {
  return {
    schemaVersion: '1.0',
    auditId: randomUUID(),
    eventType: type,
    eventTime: nowIso(ctx),
    requestId: request.id,
    caller: request.caller,
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
