// Sliding-window counters on Azure Tables, shared by every instance of the intake.
//
// One row per counter, holding its 5-minute buckets (sliding-window.ts) as a small JSON map. Every counter lives in ONE
// partition (`guard`), so the caller's quota and the tenant's breaker move together in ONE entity-group transaction
// with ETag conditions: either every counter takes the users or none does, and two instances racing on the same
// counter cannot both win (the loser gets 412 and re-reads). Each write drops the buckets that left the window, so a
// row never holds more than 13 of them. The rows sit in the state table beside the store's rows; the partition `guard`
// is used by nothing else.

import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { bucketAt, fitsAt, liveBuckets, usersInWindow, WINDOW_SECONDS, type Buckets } from './sliding-window.js';

export interface CounterAddition {
  readonly rowKey: string;
  readonly amount: number;
  /** Upper bound the counter must stay within; 0 = no limit (still counted, for the figures). */
  readonly limit: number;
}

export type AddResult =
  /** `bucket` is where the users went: give them back there. */
  | { readonly added: true; readonly bucket: string }
  /**
   * The counter that keeps the users out longest, with the users it counts now and the earliest moment they would
   * fit (undefined: never, the amount is over the limit itself).
   */
  | {
      readonly added: false;
      readonly rowKey: string;
      readonly count: number;
      readonly limit: number;
      readonly fitsAt: Date | undefined;
    };

export interface WindowCounters {
  /** Adds every amount to the bucket of `at`, atomically, only if every limited counter stays within its limit. */
  tryAdd(at: Date, additions: readonly CounterAddition[]): Promise<AddResult>;
  /** Takes amounts back from the bucket they were added to (never below 0; nothing once the bucket has expired). */
  subtract(bucket: string, additions: readonly Pick<CounterAddition, 'rowKey' | 'amount'>[], at: Date): Promise<void>;
  /**
   * Marks a counter as tripped at `at`; true only for the one call that set the mark. A mark older than the window
   * no longer counts, so a flood that goes on raises one alert per counter and 60 minutes.
   */
  markTripped(rowKey: string, at: Date): Promise<boolean>;
  /** Users counted at `at` (0 when absent), for tests and diagnostics. */
  read(rowKey: string, at: Date): Promise<number>;
}

interface CounterEntity {
  partitionKey: string;
  rowKey: string;
  /** JSON of {@link Buckets}. */
  buckets?: string;
  trippedAt?: string;
}

interface CounterRow {
  readonly buckets: Buckets;
  readonly trippedAt: string | undefined;
  readonly etag: string;
}

export const GUARD_PARTITION = 'guard';

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

function parseBuckets(rowKey: string, json: string | undefined): Buckets {
  if (json === undefined || json === '') return {};
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`guardrail counter ${rowKey} holds no bucket map`);
  }
  const buckets: Record<string, number> = {};
  for (const [bucket, users] of Object.entries(value)) {
    if (typeof users === 'number' && Number.isFinite(users) && !Number.isNaN(Date.parse(bucket))) {
      buckets[bucket] = users;
    }
  }
  return buckets;
}

export function createTableWindowCounters(
  table: TableClient,
  options: TableWindowCountersOptions = {},
): WindowCounters {
  const maxAttempts = options.maxAttempts ?? 60;
  const partitionKey = GUARD_PARTITION;
  let tableReady: Promise<void> | undefined;
  const ensureTable = (): Promise<void> => {
    tableReady ??= table.createTable().catch((error: unknown) => {
      tableReady = undefined;
      throw error;
    });
    return tableReady;
  };

  const get = async (rowKey: string): Promise<CounterRow | undefined> => {
    try {
      const entity = await table.getEntity<CounterEntity>(partitionKey, rowKey);
      return { buckets: parseBuckets(rowKey, entity.buckets), trippedAt: entity.trippedAt, etag: entity.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  };

  // Jittered pause between conflicting attempts, growing with each attempt, so racers spread out instead of
  // re-reading in lockstep.
  const backOff = (attempt: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 15 * attempt)));

  /**
   * Reads every row, lets `plan` compute the new buckets (or refuse), and writes them in one conditional transaction;
   * a conflict re-reads and plans again.
   */
  const transact = async (
    what: string,
    rowKeys: readonly string[],
    plan: (rows: readonly (CounterRow | undefined)[]) => AddResult | { next: readonly Buckets[]; done: AddResult },
  ): Promise<AddResult> => {
    await ensureTable();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await Promise.all(rowKeys.map((rowKey) => get(rowKey)));
      const planned = plan(current);
      if (!('next' in planned)) return planned;
      const actions: TransactionAction[] = [];
      for (const [i, rowKey] of rowKeys.entries()) {
        const entity = current[i];
        const buckets = JSON.stringify(planned.next[i] ?? {});
        if (entity) {
          actions.push(['update', { partitionKey, rowKey, buckets }, 'Merge', { etag: entity.etag }]);
        } else if (buckets !== '{}') {
          actions.push(['create', { partitionKey, rowKey, buckets }]);
        }
      }
      if (actions.length === 0) return planned.done;
      try {
        await table.submitTransaction(actions);
        return planned.done;
      } catch (error) {
        if (!isConflict(error)) throw error;
        await backOff(attempt);
      }
    }
    throw new GuardrailContentionError(`guardrail counters stayed contended (${what})`);
  };

  return {
    tryAdd: (at, additions) => {
      const bucket = bucketAt(at);
      return transact(
        'add',
        additions.map((a) => a.rowKey),
        (rows) => {
          const next: Buckets[] = [];
          let refusal: Extract<AddResult, { added: false }> | undefined;
          for (const [i, addition] of additions.entries()) {
            const live = liveBuckets(rows[i]?.buckets ?? {}, at);
            const count = usersInWindow(live, at);
            if (addition.limit > 0 && count + addition.amount > addition.limit) {
              const fits = fitsAt(live, at, addition.amount, addition.limit);
              // Report the counter that keeps the users out longest (never fitting beats any moment).
              const longer =
                refusal === undefined ||
                (refusal.fitsAt !== undefined && (fits === undefined || fits.getTime() > refusal.fitsAt.getTime()));
              if (longer)
                refusal = { added: false, rowKey: addition.rowKey, count, limit: addition.limit, fitsAt: fits };
            }
            next.push({ ...live, [bucket]: (live[bucket] ?? 0) + addition.amount });
          }
          return refusal ?? { next, done: { added: true, bucket } };
        },
      );
    },

    subtract: async (bucket, additions, at) => {
      await transact(
        'release',
        additions.map((a) => a.rowKey),
        (rows) => ({
          next: additions.map((addition, i) => {
            const live = liveBuckets(rows[i]?.buckets ?? {}, at);
            // liveBuckets drops the bucket again once it is empty.
            return liveBuckets({ ...live, [bucket]: Math.max(0, (live[bucket] ?? 0) - addition.amount) }, at);
          }),
          done: { added: true, bucket },
        }),
      );
    },

    // One alert per counter and 60 minutes: the mark stays on the counter's row, and only a mark older than the
    // window lets the next refusal alert again. A flood that never stops therefore alerts once an hour (a reminder
    // that it goes on), and a new flood after a quiet hour alerts at once.
    markTripped: async (rowKey, at) => {
      await ensureTable();
      const trippedAt = at.toISOString();
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const row = await get(rowKey);
        if (row?.trippedAt && at.getTime() - Date.parse(row.trippedAt) < WINDOW_SECONDS * 1000) return false;
        try {
          if (row) await table.updateEntity({ partitionKey, rowKey, trippedAt }, 'Merge', { etag: row.etag });
          else await table.createEntity({ partitionKey, rowKey, buckets: '{}', trippedAt });
          return true;
        } catch (error) {
          if (!isConflict(error)) throw error;
          await backOff(attempt);
        }
      }
      throw new GuardrailContentionError(`guardrail trip mark of ${rowKey} stayed contended`);
    },

    read: async (rowKey, at) => {
      await ensureTable();
      return usersInWindow((await get(rowKey))?.buckets ?? {}, at);
    },
  };
}
