// The shared record of Graph's write budget (domain SharedWriteBudget, issue 16): one row per Graph identity in the
// worker's own table (the audit account's `workerguard`, where the intake has no role), holding the latest deadline
// any worker instance was given with a WriteLimitExceeded 429. Writes are ETag-conditional and only ever move the
// deadline later, so two instances publishing at once cannot replace a later deadline with an earlier one.
import { RestError, type TableClient } from '@azure/data-tables';
import type { SharedWriteBudget, WriteQuotaSpent } from '../domain/index.js';

export const WRITE_BUDGET_PARTITION = 'writebudget';

interface WriteBudgetEntity {
  partitionKey: string;
  rowKey: string;
  untilMs: number;
  atMs: number;
}

export interface TableWriteBudgetOptions {
  /** One row per application and tenant: e.g. the Graph host and the identity's client id. */
  readonly rowKey: string;
  /** Each storage call is abandoned after this long (default 2,000 ms): the caller falls back to its own gate. */
  readonly timeoutMs?: number;
  /** Conditional-write attempts before giving up under contention (default 5). */
  readonly maxAttempts?: number;
}

/** Row keys may not contain / \ # ? or control characters. */
export const writeBudgetRowKey = (...parts: readonly string[]): string =>
  parts.map((p) => encodeURIComponent(p)).join('|');

const statusOf = (error: unknown): number | undefined => (error instanceof RestError ? error.statusCode : undefined);

export function createTableWriteBudget(table: TableClient, options: TableWriteBudgetOptions): SharedWriteBudget {
  const { rowKey } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxAttempts = options.maxAttempts ?? 5;
  let tableReady: Promise<void> | undefined;
  const ensureTable = (): Promise<void> => {
    tableReady ??= table.createTable({ abortSignal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
      tableReady = undefined;
      throw error;
    });
    return tableReady;
  };

  const get = async (): Promise<(WriteQuotaSpent & { etag: string }) | undefined> => {
    try {
      const entity = await table.getEntity<WriteBudgetEntity>(WRITE_BUDGET_PARTITION, rowKey, {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      const untilMs = Number(entity.untilMs);
      const atMs = Number(entity.atMs);
      if (!Number.isFinite(untilMs) || !Number.isFinite(atMs)) return undefined;
      return { untilMs, atMs, etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };

  return {
    async read() {
      const row = await get();
      return row ? { atMs: row.atMs, untilMs: row.untilMs } : undefined;
    },
    async publish(spent) {
      await ensureTable();
      const entity: WriteBudgetEntity = {
        partitionKey: WRITE_BUDGET_PARTITION,
        rowKey,
        untilMs: spent.untilMs,
        atMs: spent.atMs,
      };
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const current = await get();
        if (current && current.untilMs >= spent.untilMs) return; // a later deadline is already shared
        try {
          if (current) {
            await table.updateEntity(entity, 'Replace', {
              etag: current.etag,
              abortSignal: AbortSignal.timeout(timeoutMs),
            });
          } else {
            await table.createEntity(entity, { abortSignal: AbortSignal.timeout(timeoutMs) });
          }
          return;
        } catch (error) {
          // 412: another instance wrote since our read; 409: another created the row first. Read again.
          const status = statusOf(error);
          if (status !== 412 && status !== 409) throw error;
        }
      }
      throw new Error('the shared write budget row stayed contended');
    },
  };
}
