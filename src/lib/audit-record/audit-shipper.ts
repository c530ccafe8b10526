// Ships the table's audit rows into the audit record. Three ways, all idempotent (the record skips an auditId it
// already holds):
//  - ship: right after a worker transition commits its row (the table context's sink) — one append in the common case;
//  - reconcileItem: before the worker works on an item, and when it finds one final (a duplicate delivery): the
//    request's rows (written by the intake: received, enqueued, approval…) once per request in this process, and the
//    item's own rows when it was touched before (a crash between a commit and its append leaves them behind);
//  - reconcileChanged: the worker's timer, for every request whose rows changed since its last pass (a watermark),
//    so requests that never reach a worker (rejected, lapsed, cancelled while waiting) are recorded too.
// A failed append never fails a reset and never loses an event: the row stays in the table, a single log line says
// which request, and the next reconcile ships it.
import { mapBounded } from '../concurrency/bounded.js';
import type { AuditRecord } from '../domain/index.js';
import type { AuditEvent } from '../store/index.js';
import { blobFailure } from './blob-errors.js';

/** Where the shipper reads the table's audit rows (src/lib/store/audit-reads.ts and the store's listAudit). */
export interface AuditRowSource {
  /** Every row of a request, in table order. */
  listAudit(requestId: string): Promise<readonly AuditEvent[]>;
  listRequestAudit(requestId: string): Promise<readonly AuditEvent[]>;
  listItemAudit(requestId: string, index: number): Promise<readonly AuditEvent[]>;
  requestsChangedSince(since: Date): Promise<readonly string[]>;
}

export type AuditLog = (event: string, fields: Readonly<Record<string, string | number>>) => void;

export interface AuditShipperOptions {
  readonly record: AuditRecord<AuditEvent>;
  readonly rows: AuditRowSource;
  readonly now?: () => Date;
  /** The first timer pass looks back this far (default 48 h: longer than an item may wait, 24 h by default). */
  readonly lookbackMs?: number;
  /** Each pass re-reads this much before the watermark (row Timestamps are the service's clock, not ours). */
  readonly overlapMs?: number;
  readonly log?: AuditLog;
}

export interface AuditShipper {
  /** Appends committed rows; never throws. */
  ship(events: readonly AuditEvent[]): Promise<void>;
  /** Ships what the table holds for this item and its request that the record lacks; never throws. */
  reconcileItem(requestId: string, index: number, touched: boolean): Promise<void>;
  /** Ships every row of the request that the record lacks; returns how many were appended. Throws on failure. */
  reconcileRequest(requestId: string): Promise<number>;
  /** One timer pass; returns what it did. Throws only when the table cannot be read. */
  reconcileChanged(): Promise<{ readonly requests: number; readonly appended: number; readonly failed: number }>;
}

const defaultLog: AuditLog = (event, fields) => console.warn(JSON.stringify({ event, ...fields }));

export function createAuditShipper(options: AuditShipperOptions): AuditShipper {
  const { record, rows } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? defaultLog;
  const overlapMs = options.overlapMs ?? 2 * 60_000;
  let watermark = new Date(now().getTime() - (options.lookbackMs ?? 48 * 3600_000));
  /** Requests whose request-level rows this process shipped (bounded; the timer catches later rows). */
  const requestsShipped = new Set<string>();

  const append = async (requestId: string, events: readonly AuditEvent[]): Promise<number> =>
    events.length === 0 ? 0 : (await record.append(requestId, events)).appended;

  const failed = (what: string, requestId: string, error: unknown): void =>
    log('audit_record_append_failed', { what, requestId, reason: blobFailure(error) });

  async function reconcileRequest(requestId: string): Promise<number> {
    return append(requestId, await rows.listAudit(requestId));
  }

  return {
    async ship(events) {
      const byRequest = new Map<string, AuditEvent[]>();
      for (const event of events) byRequest.set(event.requestId, [...(byRequest.get(event.requestId) ?? []), event]);
      for (const [requestId, batch] of byRequest) {
        try {
          await append(requestId, batch);
        } catch (error) {
          failed('ship', requestId, error);
        }
      }
    },

    async reconcileItem(requestId, index, touched) {
      try {
        if (!requestsShipped.has(requestId)) {
          await append(requestId, await rows.listRequestAudit(requestId));
          requestsShipped.add(requestId);
          if (requestsShipped.size > 10_000) requestsShipped.delete(requestsShipped.values().next().value ?? '');
        }
        if (touched) await append(requestId, await rows.listItemAudit(requestId, index));
      } catch (error) {
        failed('reconcile_item', requestId, error);
      }
    },

    reconcileRequest,

    async reconcileChanged() {
      const passStart = now();
      const since = new Date(watermark.getTime() - overlapMs);
      const ids = await rows.requestsChangedSince(since);
      let appended = 0;
      let failures = 0;
      await mapBounded(ids, 4, async (requestId) => {
        try {
          appended += await reconcileRequest(requestId);
        } catch (error) {
          failures += 1;
          failed('reconcile_request', requestId, error);
        }
      });
      // A failed request keeps the watermark where it was, so the next pass tries it again.
      if (failures === 0) watermark = passStart;
      return { requests: ids.length, appended, failed: failures };
    },
  };
}
