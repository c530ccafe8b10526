// Audit rows read for the audit record's reconcile (src/lib/audit-record/reconcile.ts): a request's own rows, one
// item's rows, and which requests gained rows since a time. Over the TableClient so the worker's reconcile can use
// the store's client without widening the StateStore port.
import type { TableClient } from '@azure/data-tables';
import { auditFromEntity } from './entities.js';
import { itemPartition, itemRow, odataString, requestPartition } from './keys.js';
import type { AuditEvent } from './ports.js';

/** The order listAudit returns: by time, request-level rows first, then item and per-item sequence. */
export const tableOrder = (a: AuditEvent, b: AuditEvent): number =>
  a.eventTime.localeCompare(b.eventTime) || (a.item ?? -1) - (b.item ?? -1) || (a.seq ?? 0) - (b.seq ?? 0);

async function rows(client: TableClient, filter: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const row of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
    events.push(auditFromEntity(row));
  return events.sort(tableOrder);
}

/** Request-level rows (received, enqueued, approval, cancel), oldest first: one partition query. */
export const listRequestAuditRows = (client: TableClient, requestId: string): Promise<AuditEvent[]> =>
  rows(
    client,
    `PartitionKey eq ${odataString(requestPartition(requestId))} and RowKey ge 'audit|' and RowKey lt 'audit|~'`,
  );

/** Every row of a request (request-level and every item's), in table order: two queries. */
export async function listAllAuditRows(client: TableClient, requestId: string): Promise<AuditEvent[]> {
  const [own, items] = await Promise.all([
    listRequestAuditRows(client, requestId),
    rows(
      client,
      `PartitionKey ge ${odataString(`item|${requestId}|`)} and PartitionKey lt ${odataString(`item|${requestId}|~`)}` +
        ` and RowKey ge 'audit|' and RowKey lt 'audit|~'`,
    ),
  ]);
  return [...own, ...items].sort(tableOrder);
}

/** One item's rows, oldest first: a row-key range in its chunk's partition. */
export const listItemAuditRows = (client: TableClient, requestId: string, index: number): Promise<AuditEvent[]> =>
  rows(
    client,
    `PartitionKey eq ${odataString(itemPartition(requestId, index))} and ` +
      `RowKey ge ${odataString(`audit|${itemRow(index)}|`)} and RowKey lt ${odataString(`audit|${itemRow(index)}|~`)}`,
  );

/** Requests with an audit row written at or after `since` (by the table's own Timestamp). */
export async function requestsWithAuditSince(client: TableClient, since: Date): Promise<string[]> {
  const ids = new Set<string>();
  // A scan of the table (Timestamp is not indexed); the worker's timer runs it once a minute over a short window.
  const filter = `kind eq 'audit' and Timestamp ge datetime'${since.toISOString()}'`;
  const iterator = client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['PartitionKey'] } });
  for await (const row of iterator) {
    const id = /^(?:req|item)\|([^|]+)/.exec(row.partitionKey ?? '')?.[1];
    if (id) ids.add(id);
  }
  return [...ids];
}
