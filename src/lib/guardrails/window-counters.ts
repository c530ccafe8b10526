// Per-window counters on Azure Tables, shared by every instance of the intake.
//
// All counters of one window live in one partition (`guard|2026-11-27T20`), so the caller's quota and the tenant's
// breaker move together in ONE entity-group transaction with ETag conditions: either every counter takes the users
// or none does, and two instances racing on the same counter cannot both win (the loser gets 412 and re-reads).
// The rows sit in the state table beside the store's rows; their partition prefix `guard|` is used by nothing else.

import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';

export interface CounterAddition {
  readonly rowKey: string;
  readonly amount: number;
  /** Upper bound the counter must stay within; 0 = no limit (still counted, for the figures). */
  readonly limit: number;
}

export type AddResult =
  | { readonly added: true }
  /** The first counter that would go over its limit, with the value it holds. */
  | { readonly added: false; readonly rowKey: string; readonly count: number; readonly limit: number };

export interface WindowCounters {
  /** Adds every amount atomically, only if every limited counter stays within its limit. */
  tryAdd(windowKey: string, additions: readonly CounterAddition[]): Promise<AddResult>;
  /** Takes amounts back (a reservation that did not become a request); never below 0. */
  subtract(windowKey: string, additions: readonly Pick<CounterAddition, 'rowKey' | 'amount'>[]): Promise<void>;
  /** Marks a counter as tripped in this window; true only for the one call that set the mark. */
  markTripped(windowKey: string, rowKey: string, at: Date): Promise<boolean>;
  /** Current value (0 when absent), for tests and diagnostics. */
  read(windowKey: string, rowKey: string): Promise<number>;
}

interface CounterEntity {
  partitionKey: string;
  rowKey: string;
  count: number;
  trippedAt?: string;
}

export const guardPartition = (windowKey: string): string => `guard|${windowKey}`;

/** Row keys may not contain / \ # ? or control characters: percent-encode whatever the token gave us. */
export const counterRow = (...parts: readonly string[]): string => parts.map((p) => encodeURIComponent(p)).join('|');

const conflictStatuses = new Set([409, 412]);
const isConflict = (error: unknown): boolean =>
  error instanceof RestError && error.statusCode !== undefined && conflictStatuses.has(error.statusCode);

export class GuardrailContentionError extends Error {
  override readonly name = 'GuardrailContentionError';
}

export interface TableWindowCountersOptions {
  /** Attempts before giving up under contention (each conflict re-reads). */
  readonly maxAttempts?: number;
}

export function createTableWindowCounters(
  table: TableClient,
  options: TableWindowCountersOptions = {},
): WindowCounters {
  const maxAttempts = options.maxAttempts ?? 60;
  let tableReady: Promise<void> | undefined;
  const ensureTable = (): Promise<void> => {
    tableReady ??= table.createTable().catch((error: unknown) => {
      tableReady = undefined;
      throw error;
    });
    return tableReady;
  };

  const get = async (partitionKey: string, rowKey: string): Promise<(CounterEntity & { etag: string }) | undefined> => {
    try {
      const entity = await table.getEntity<CounterEntity>(partitionKey, rowKey);
      return { ...entity, count: Number(entity.count) || 0, etag: entity.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  };

  // Jittered pause between conflicting attempts, growing with each attempt, so racers spread out instead of
  // re-reading in lockstep.
  const backOff = (attempt: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 15 * attempt)));

  const update = async (
    windowKey: string,
    rows: readonly { rowKey: string; amount: number; limit: number }[],
    allowOverLimit: boolean,
  ): Promise<AddResult> => {
    await ensureTable();
    const partitionKey = guardPartition(windowKey);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await Promise.all(rows.map((r) => get(partitionKey, r.rowKey)));
      const actions: TransactionAction[] = [];
      for (const [i, row] of rows.entries()) {
        const entity = current[i];
        const count = entity?.count ?? 0;
        const next = Math.max(0, count + row.amount);
        if (!allowOverLimit && row.limit > 0 && next > row.limit) {
          return { added: false, rowKey: row.rowKey, count, limit: row.limit };
        }
        if (entity) {
          actions.push(['update', { partitionKey, rowKey: row.rowKey, count: next }, 'Merge', { etag: entity.etag }]);
        } else if (next > 0) {
          actions.push(['create', { partitionKey, rowKey: row.rowKey, count: next }]);
        }
      }
      if (actions.length === 0) return { added: true };
      try {
        await table.submitTransaction(actions);
        return { added: true };
      } catch (error) {
        if (!isConflict(error)) throw error;
        await backOff(attempt);
      }
    }
    throw new GuardrailContentionError(`submission counters of window ${windowKey} stayed contended`);
  };

  return {
    tryAdd: (windowKey, additions) => update(windowKey, additions, false),
    subtract: async (windowKey, additions) => {
      await update(
        windowKey,
        additions.map((a) => ({ rowKey: a.rowKey, amount: -a.amount, limit: 0 })),
        true,
      );
    },
    markTripped: async (windowKey, rowKey, at) => {
      await ensureTable();
      const partitionKey = guardPartition(windowKey);
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const entity = await get(partitionKey, rowKey);
        if (entity?.trippedAt) return false;
        try {
          if (entity) {
            await table.updateEntity({ partitionKey, rowKey, trippedAt: at.toISOString() }, 'Merge', {
              etag: entity.etag,
            });
          } else {
            await table.createEntity({ partitionKey, rowKey, count: 0, trippedAt: at.toISOString() });
          }
          return true;
        } catch (error) {
          if (!isConflict(error)) throw error;
          await backOff(attempt);
        }
      }
      throw new GuardrailContentionError(`trip mark of window ${windowKey} stayed contended`);
    },
    read: async (windowKey, rowKey) => {
      await ensureTable();
      return (await get(guardPartition(windowKey), rowKey))?.count ?? 0;
    },
  };
}
