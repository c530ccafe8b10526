// What every part of the table store shares: the table client, the clock, the concurrency settings, point reads,
// lost-race handling, and the cache of request owners that item audit rows are stamped with.

import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StorageConfig } from '../config/index.js';
import { DEFAULT_TABLE_NAME } from './keys.js';
import type { ItemSealer, Requester } from '../domain/index.js';
import type { AuditEvent } from './ports.js';
import { createTableClient } from './table-client.js';

export interface TableStoreOptions {
  /** Table name (default `mfaresets`). */
  readonly tableName?: string;
  /** Credential for identity-based storage (default: as the Functions host would pick). */
  readonly credential?: TokenCredential;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** Entity-group transactions in flight while a request's items are written (default 16). */
  readonly writeConcurrency?: number;
  /** Point reads / partition queries in flight for status and paging (default 32). */
  readonly readConcurrency?: number;
  /** A request still `creating` this long after its key was taken is treated as abandoned and resumed (default 120). */
  readonly inFlightSeconds?: number;
  /** An idempotency key (explicit or natural) is remembered this long; then the same key makes a new request (24 h). */
  readonly idempotencyWindowSeconds?: number;
  /**
   * Seals every chunk of targets and every approval this store writes (src/lib/domain/item-seal.ts). The worker acts
   * only on sealed work, so an intake whose store has none stores requests no worker will carry out.
   */
  readonly sealer?: ItemSealer;
  /**
   * Called after a transition made the last item of a request with a completion callback final (and by
   * `noticeIfFinal`): the composition root queues the callback. An error here fails the transition's caller after
   * the transition is stored, so the queue message that carried it comes again and notices it then.
   */
  readonly onRequestFinal?: (requestId: string) => Promise<void>;
  /** Where the worker's committed audit rows go next (the audit record); only the worker's composition sets it. */
  readonly auditSink?: AuditSink;
}

/** Takes audit rows right after their transaction committed; must not reject (a failure is the sink's to log). */
export type AuditSink = (events: readonly AuditEvent[]) => Promise<void>;

export type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Who made a request: stamped on the audit rows of its item transitions. */
export interface RequestOwner {
  readonly requester: Requester;
  readonly correlationId?: string;
  /** Whether the request row already records its first claim (`startedAt`). */
  started: boolean;
  /** Whether the request has a completion callback (then a final transition checks whether the request is final). */
  readonly callback?: boolean;
  readonly itemCount?: number;
}

export interface TableContext {
  readonly client: TableClient;
  readonly now: () => Date;
  readonly writeConcurrency: number;
  readonly readConcurrency: number;
  readonly inFlightMs: number;
  readonly idempotencyWindowMs: number;
  /** Request owners never change: cached for the audit rows of item transitions (bounded). */
  readonly owners: Map<string, RequestOwner>;
  readonly sealer?: ItemSealer;
  readonly onRequestFinal?: (requestId: string) => Promise<void>;
  /** Set in the worker only: committed item transitions' audit rows are appended to the audit record. */
  readonly auditSink?: AuditSink;
  /** Creates the table if missing; once per process (again after a failure). */
  ensureTable(): Promise<void>;
  /** Point read; undefined when the row does not exist. */
  getEntity(partitionKey: string, rowKey: string): Promise<Entity | undefined>;
}

export const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'statusCode' in e ? (e as { statusCode?: number }).statusCode : undefined;
export const isConflict = (e: unknown): boolean => statusOf(e) === 409;
/** A lost ETag race (412) or a concurrent create of the same row (409): re-read and decide again. */
export const isRace = (e: unknown): boolean => statusOf(e) === 412 || statusOf(e) === 409;

export const MAX_RACE_RETRIES = 25;
/** Backoff between lost ETag races: spreads contending writers on one chunk's counters. */
export const raceBackoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));

export const nowIso = (ctx: Pick<TableContext, 'now'>): string => ctx.now().toISOString();

export function createTableContext(storage: StorageConfig, options: TableStoreOptions): TableContext {
  const client = createTableClient(storage, {
    tableName: options.tableName ?? DEFAULT_TABLE_NAME,
    ...(options.credential ? { credential: options.credential } : {}),
  });
  let tableReady: Promise<void> | undefined;
  const ensureTable = (): Promise<void> => {
    tableReady ??= client.createTable().catch((e: unknown) => {
      tableReady = undefined;
      throw e;
    });
    return tableReady;
  };
  return {
    client,
    now: options.now ?? (() => new Date()),
    writeConcurrency: options.writeConcurrency ?? 16,
    readConcurrency: options.readConcurrency ?? 32,
    inFlightMs: (options.inFlightSeconds ?? 120) * 1000,
    idempotencyWindowMs: (options.idempotencyWindowSeconds ?? 24 * 3600) * 1000,
    owners: new Map(),
    ...(options.sealer ? { sealer: options.sealer } : {}),
    ...(options.onRequestFinal ? { onRequestFinal: options.onRequestFinal } : {}),
    ...(options.auditSink ? { auditSink: options.auditSink } : {}),
    ensureTable,
    async getEntity(partitionKey, rowKey) {
      await ensureTable();
      try {
        const entity = await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
        return { ...entity, partitionKey, rowKey };
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        throw e;
      }
    },
  };
}
