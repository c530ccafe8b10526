// The state store on Azure Tables (see keys.ts for the row layout).
// Every item transition is one entity-group transaction in the item's chunk partition: the item (ETag-conditional),
// its audit row and, when the item becomes final, the chunk's outcome counters. A lost ETag race re-reads and
// re-decides, so a final item is never changed again and counters count each item once.

import { randomUUID } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { ItemOutcome, MethodRef, ResetFailure, ResetResult } from '../reset/contract.js';
import type { StorageConfig } from '../config/index.js';
import {
  auditFromEntity,
  auditToEntity,
  countsFromEntity,
  countsPatch,
  itemFromEntity,
  itemToEntity,
  outcomeNames,
  requestFromEntity,
  requestToEntity,
  rosterItems,
  rosterToEntity,
  zeroCounts,
} from './entities.js';
import {
  chunkCount,
  chunkPartition,
  CHUNK_SIZE,
  COUNTS_ROW,
  DEFAULT_TABLE_NAME,
  IDEMPOTENCY_ROW,
  idempotencyPartition,
  itemPartition,
  itemRow,
  odataString,
  PENDING_PARTITION,
  REQUEST_ROW,
  requestPartition,
  ROSTER_ROW,
} from './keys.js';
import { mapLimit } from './parallel.js';
import {
  ITEM_PAGE_SIZE,
  type AuditEvent,
  type AuditEventType,
  type CallerRef,
  type ClaimOptions,
  type ClaimResult,
  type CreateRequestResult,
  type ItemPage,
  type NewItem,
  type NewRequest,
  type RequestPhase,
  type RequestSummary,
  type StateStore,
  type StoredItem,
  type StoredRequest,
  type TransitionResult,
} from './ports.js';
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
}

export interface TableStore extends StateStore {
  readonly client: TableClient;
  /** Creates the table if missing (also done lazily on first use). */
  ensureTable(): Promise<void>;
}

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'statusCode' in e ? (e as { statusCode?: number }).statusCode : undefined;
const isConflict = (e: unknown): boolean => statusOf(e) === 409;
const isRace = (e: unknown): boolean => statusOf(e) === 412 || statusOf(e) === 409;

const MAX_RACE_RETRIES = 25;
// Backoff between lost ETag races: spreads contending writers on one chunk's counters.
const raceBackoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));

function auditTypeFor(outcome: ItemOutcome): AuditEventType {
  if (outcome === 'failed') return 'ResetFailed';
  if (outcome === 'protected') return 'Rejected';
  return 'ResetCompleted';
}

function mergeIds(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

type Decision =
  | { readonly write: false; readonly result: TransitionResult }
  | {
      readonly write: true;
      readonly next: Omit<StoredItem, 'etag'> & { etag: string };
      readonly audit: Omit<AuditEvent, 'schemaVersion' | 'auditId' | 'eventTime' | 'requestId' | 'caller' | 'ticket'>;
      /** Set when the transition makes the item final: the chunk counters count it. */
      readonly finalOutcome?: ItemOutcome;
    };

class AzureTableStore implements TableStore {
  readonly client: TableClient;
  private readonly now: () => Date;
  private readonly writeConcurrency: number;
  private readonly readConcurrency: number;
  private readonly inFlightMs: number;
  private tableReady: Promise<void> | undefined;
  /** Request owners never change: cache them for the audit rows of item transitions. */
  private readonly owners = new Map<string, { caller: CallerRef; correlationId?: string; started: boolean }>();

  constructor(storage: StorageConfig, options: TableStoreOptions) {
    this.client = createTableClient(storage, {
      tableName: options.tableName ?? DEFAULT_TABLE_NAME,
      ...(options.credential ? { credential: options.credential } : {}),
    });
    this.now = options.now ?? (() => new Date());
    this.writeConcurrency = options.writeConcurrency ?? 16;
    this.readConcurrency = options.readConcurrency ?? 32;
    this.inFlightMs = (options.inFlightSeconds ?? 120) * 1000;
  }

  ensureTable(): Promise<void> {
    this.tableReady ??= this.client.createTable().catch((e: unknown) => {
      this.tableReady = undefined;
      throw e;
    });
    return this.tableReady;
  }

  private nowIso(): string {
    return this.now().toISOString();
  }

  private async getEntity(partitionKey: string, rowKey: string): Promise<Entity | undefined> {
    await this.ensureTable();
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return { ...entity, partitionKey, rowKey };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  private auditEvent(
    type: AuditEventType,
    request: { id: string; caller: CallerRef; ticket: string; correlationId?: string },
    fields: Partial<AuditEvent>,
  ): AuditEvent {
    return {
      schemaVersion: '1.0',
      auditId: randomUUID(),
      eventType: type,
      eventTime: this.nowIso(),
      requestId: request.id,
      caller: request.caller,
      ticket: request.ticket,
      ...(request.correlationId ? { correlationId: request.correlationId } : {}),
      ...fields,
    };
  }

  // ---------------------------------------------------------------- intake

  async createRequest(draft: NewRequest): Promise<CreateRequestResult> {
    await this.ensureTable();
    const now = this.nowIso();
    const idemPk = idempotencyPartition(draft.idempotencyKey);
    let requestId: string = randomUUID();
    let resumed = false;
    try {
      await this.client.createEntity({
        partitionKey: idemPk,
        rowKey: IDEMPOTENCY_ROW,
        requestId,
        fingerprint: draft.fingerprint,
        createdAt: now,
        claimedAt: now,
      });
    } catch (e) {
      if (!isConflict(e)) throw e;
      const outcome = await this.arbitrate(idemPk, draft.fingerprint);
      if (outcome.kind !== 'resume') return outcome;
      requestId = outcome.requestId;
      resumed = true;
    }

    await this.client.upsertEntity({ partitionKey: PENDING_PARTITION, rowKey: requestId, createdAt: now }, 'Replace');
    const request: StoredRequest = {
      id: requestId,
      caller: draft.caller,
      ticket: draft.ticket,
      reason: draft.reason,
      ...(draft.requestedBy ? { requestedBy: draft.requestedBy } : {}),
      options: draft.options,
      source: draft.source,
      itemCount: draft.items.length,
      phase: 'creating',
      idempotencyKey: draft.idempotencyKey,
      fingerprint: draft.fingerprint,
      ...(draft.correlationId ? { correlationId: draft.correlationId } : {}),
      createdAt: now,
      updatedAt: now,
    };
    const received = this.auditEvent('RequestReceived', request, {
      reason: draft.reason,
      ...(draft.requestedBy ? { requestedBy: draft.requestedBy } : {}),
      itemCount: draft.items.length,
      dryRun: draft.options.dryRun,
      ...(draft.items.length === 1 && draft.items[0] ? { target: { key: draft.items[0].userKey } } : {}),
    });
    try {
      await this.client.submitTransaction([
        ['create', requestToEntity(request)],
        ['create', auditToEntity(requestPartition(requestId), received)],
      ]);
    } catch (e) {
      // A resumed creation finds the request row written by the call that gave up.
      if (!(resumed && isConflict(e))) throw e;
    }

    await this.writeItems(requestId, draft.items, now);
    const accepted = await this.setPhase(requestId, ['creating'], 'accepted', {});
    return { kind: resumed ? 'existing' : 'created', request: accepted };
  }

  async findRequestByKey(idempotencyKey: string): Promise<StoredRequest | undefined> {
    await this.ensureTable();
    const idem = await this.getEntity(idempotencyPartition(idempotencyKey), IDEMPOTENCY_ROW);
    return idem ? this.getRequest(String(idem.requestId)) : undefined;
  }

  /** The idempotency key is taken: decide between the earlier request, a conflict, in-progress, or resuming. */
  private async arbitrate(
    idemPk: string,
    fingerprint: string,
  ): Promise<Exclude<CreateRequestResult, { kind: 'created' }> | { kind: 'resume'; requestId: string }> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const idem = await this.getEntity(idemPk, IDEMPOTENCY_ROW);
      if (!idem) throw new Error('idempotency record vanished');
      const requestId = String(idem.requestId);
      if (idem.fingerprint !== fingerprint) return { kind: 'conflict', requestId };
      const existing = await this.getRequest(requestId);
      if (existing && existing.phase !== 'creating') return { kind: 'existing', request: existing };
      const claimedAt = Date.parse(String(idem.claimedAt ?? idem.createdAt));
      if (this.now().getTime() - claimedAt < this.inFlightMs) return { kind: 'in_progress', requestId };
      // The writer gave up (crash, timeout): take over, one resumer at a time (ETag on the claim time).
      try {
        await this.client.updateEntity(
          { partitionKey: idemPk, rowKey: IDEMPOTENCY_ROW, claimedAt: this.nowIso() },
          'Merge',
          { etag: String(idem.etag) },
        );
        return { kind: 'resume', requestId };
      } catch (e) {
        if (!isRace(e)) throw e;
      }
    }
    throw new Error('could not arbitrate the idempotency record');
  }

  /** Writes the targets as one roster row per chunk (insert-only: a resumed creation keeps what exists). */
  private async writeItems(requestId: string, items: readonly NewItem[], now: string): Promise<void> {
    const chunks = Array.from({ length: chunkCount(items.length) }, (_, c) => c);
    await mapLimit(chunks, this.writeConcurrency, async (chunk) => {
      const first = chunk * CHUNK_SIZE;
      try {
        await this.client.createEntity(rosterToEntity(requestId, chunk, items.slice(first, first + CHUNK_SIZE), now));
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    });
  }

  /** Moves the request from one of `from` to `to` (ETag loop); returns the row as it ends up. */
  private async setPhase(
    requestId: string,
    from: readonly RequestPhase[],
    to: RequestPhase,
    extra: Record<string, unknown>,
    audit?: AuditEvent,
  ): Promise<StoredRequest> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const entity = await this.getEntity(requestPartition(requestId), REQUEST_ROW);
      if (!entity) throw new Error(`request ${requestId} not found`);
      const current = requestFromEntity(entity);
      if (!from.includes(current.phase)) return current;
      const patch = {
        partitionKey: entity.partitionKey,
        rowKey: entity.rowKey,
        phase: to,
        updatedAt: this.nowIso(),
        ...extra,
      };
      try {
        const actions: TransactionAction[] = [['update', patch, 'Merge', { etag: String(entity.etag) }]];
        if (audit) actions.push(['create', auditToEntity(requestPartition(requestId), audit)]);
        await this.client.submitTransaction(actions);
        return requestFromEntity({ ...entity, ...patch });
      } catch (e) {
        if (!isRace(e)) throw e;
        await raceBackoff(attempt);
      }
    }
    throw new Error(`request ${requestId}: too many concurrent updates`);
  }

  async markEnqueued(requestId: string): Promise<void> {
    const request = await this.getRequest(requestId);
    if (!request) throw new Error(`request ${requestId} not found`);
    if (request.phase === 'accepted') {
      const audit = this.auditEvent('RequestEnqueued', request, { itemCount: request.itemCount });
      await this.setPhase(requestId, ['accepted'], 'enqueued', { enqueuedAt: this.nowIso() }, audit);
    }
    try {
      await this.client.deleteEntity(PENDING_PARTITION, requestId);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  async listUnenqueued(olderThanSeconds: number, limit = 100): Promise<readonly StoredRequest[]> {
    await this.ensureTable();
    const cutoff = this.now().getTime() - olderThanSeconds * 1000;
    const found: StoredRequest[] = [];
    const markers = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq ${odataString(PENDING_PARTITION)}` },
    });
    for await (const marker of markers) {
      if (found.length >= limit) break;
      if (Date.parse(String(marker.createdAt)) > cutoff) continue;
      const id = String(marker.rowKey);
      const request = await this.getRequest(id);
      if (request?.phase === 'accepted') found.push(request);
      else if (!request || request.phase === 'enqueued') {
        // Stale marker (the hand-off was confirmed, or creation never got as far as the request row).
        await this.client.deleteEntity(PENDING_PARTITION, id).catch(() => undefined);
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- reads

  async getRequest(requestId: string): Promise<StoredRequest | undefined> {
    const entity = await this.getEntity(requestPartition(requestId), REQUEST_ROW);
    if (!entity) return undefined;
    const request = requestFromEntity(entity);
    this.owners.set(request.id, {
      caller: request.caller,
      ...(request.correlationId ? { correlationId: request.correlationId } : {}),
      started: request.startedAt !== undefined,
    });
    if (this.owners.size > 10_000) this.owners.delete(this.owners.keys().next().value as string);
    return request;
  }

  async getRequestForCaller(requestId: string, caller: CallerRef): Promise<StoredRequest | undefined> {
    const request = await this.getRequest(requestId);
    if (!request) return undefined;
    // Owner = tenant + client app + principal object id (one service principal per app; one user for user tokens).
    const owner = request.caller;
    const same =
      owner.tenantId === caller.tenantId &&
      owner.appId === caller.appId &&
      (owner.objectId ?? '') === (caller.objectId ?? '');
    return same ? request : undefined;
  }

  async getSummary(request: StoredRequest): Promise<RequestSummary> {
    const total = request.itemCount;
    if (request.completedAt && request.finalCounts) {
      return {
        request,
        status: 'completed',
        total,
        pending: 0,
        counts: request.finalCounts,
        updatedAt: request.completedAt,
      };
    }
    if (!request.startedAt) {
      // No item has had a transition (startedAt is written before the first one): nothing to count.
      return { request, status: 'queued', total, pending: total, counts: zeroCounts(), updatedAt: request.updatedAt };
    }
    const chunks = Array.from({ length: chunkCount(total) }, (_, c) => c);
    const rows = await mapLimit(chunks, this.readConcurrency, (c) =>
      this.getEntity(chunkPartition(request.id, c), COUNTS_ROW),
    );
    const counts = zeroCounts();
    let final = 0;
    let updatedAt = request.updatedAt;
    for (const row of rows) {
      const chunk = countsFromEntity(row);
      final += chunk.final;
      for (const o of outcomeNames) counts[o] += chunk.counts[o];
      if (chunk.updatedAt && chunk.updatedAt > updatedAt) updatedAt = chunk.updatedAt;
    }
    if (request.startedAt && request.startedAt > updatedAt) updatedAt = request.startedAt;
    const pending = total - final;
    const status =
      pending === 0 && request.phase !== 'creating'
        ? 'completed'
        : request.startedAt || final > 0
          ? 'running'
          : 'queued';
    if (status === 'completed' && !request.completedAt) {
      // Final items never change: cache the totals so later polls read one row.
      await this.client
        .updateEntity(
          {
            partitionKey: requestPartition(request.id),
            rowKey: REQUEST_ROW,
            completedAt: updatedAt,
            finalCounts: JSON.stringify(counts),
          },
          'Merge',
        )
        .catch(() => undefined);
    }
    return { request, status, total, pending, counts, updatedAt };
  }

  async listItems(request: StoredRequest, page: number): Promise<ItemPage> {
    const pages = Math.max(1, Math.ceil(request.itemCount / ITEM_PAGE_SIZE));
    const chunksPerPage = ITEM_PAGE_SIZE / CHUNK_SIZE;
    const firstChunk = (page - 1) * chunksPerPage;
    const lastChunk = Math.min(firstChunk + chunksPerPage, chunkCount(request.itemCount));
    const chunks: number[] = [];
    for (let c = firstChunk; c < lastChunk; c++) chunks.push(c);
    const lists = await mapLimit(chunks, this.readConcurrency, (c) => this.chunkItems(request.id, c));
    return { items: lists.flat(), page, pageSize: ITEM_PAGE_SIZE, pages };
  }

  /** The chunk's items: the roster, overlaid with the state rows of items that have had a transition. */
  private async chunkItems(requestId: string, chunk: number): Promise<StoredItem[]> {
    await this.ensureTable();
    let roster: Record<string, unknown> | undefined;
    const stored = new Map<number, StoredItem>();
    const rows = this.client.listEntities<Record<string, unknown>>({
      // Item row keys are digits (sort before 'a'); counters and audit rows are skipped.
      queryOptions: {
        filter: `PartitionKey eq ${odataString(chunkPartition(requestId, chunk))} and (RowKey lt 'a' or RowKey eq '${ROSTER_ROW}')`,
      },
    });
    for await (const row of rows) {
      if (row.rowKey === ROSTER_ROW) roster = row;
      else {
        const item = itemFromEntity(row);
        stored.set(item.index, item);
      }
    }
    const base = roster ? rosterItems(requestId, roster) : [];
    return base.map((item) => stored.get(item.index) ?? item);
  }

  async *iterateItems(request: StoredRequest): AsyncIterable<StoredItem> {
    const pages = Math.max(1, Math.ceil(request.itemCount / ITEM_PAGE_SIZE));
    for (let page = 1; page <= pages; page++) {
      const { items } = await this.listItems(request, page);
      yield* items;
    }
  }

  async getItem(requestId: string, index: number): Promise<StoredItem | undefined> {
    if (!Number.isInteger(index) || index < 0) return undefined;
    const partition = itemPartition(requestId, index);
    const entity = await this.getEntity(partition, itemRow(index));
    if (entity) return itemFromEntity(entity);
    // No transition yet: the item is still only in its chunk's roster.
    const roster = await this.getEntity(partition, ROSTER_ROW);
    return roster ? rosterItems(requestId, roster).find((i) => i.index === index) : undefined;
  }

  // ---------------------------------------------------------------- worker transitions

  private async owner(requestId: string): Promise<{ caller: CallerRef; correlationId?: string; started: boolean }> {
    const cached = this.owners.get(requestId);
    if (cached) return cached;
    await this.getRequest(requestId);
    return this.owners.get(requestId) ?? { caller: { tenantId: '', appId: '' }, started: true };
  }

  /** Read → decide → one transaction (item + audit [+ counters]); on a lost race, again. */
  private async transition(
    requestId: string,
    index: number,
    correlationId: string | undefined,
    decide: (item: StoredItem, now: Date) => Decision,
  ): Promise<TransitionResult> {
    const owner = await this.owner(requestId);
    if (!owner.started) {
      // Before the first item transition of the request (never after: a crash in between must not leave a
      // transitioned item behind a request that looks untouched, whose summary skips the counters).
      await this.markStarted(requestId);
      owner.started = true;
    }
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const item = await this.getItem(requestId, index);
      if (!item) return { changed: false, reason: 'missing' };
      const decision = decide(item, this.now());
      if (!decision.write) return decision.result;
      const { etag: _etag, ...rest } = decision.next;
      const next = { ...rest, revision: item.revision + 1 };
      const audit = this.auditEvent(
        decision.audit.eventType,
        { id: requestId, caller: owner.caller, ticket: item.ticket, ...pickCorrelation(correlationId, owner) },
        {
          ...decision.audit,
          item: index,
          seq: next.revision,
          ...(item.requestedBy ? { requestedBy: item.requestedBy } : {}),
        },
      );
      const partition = itemPartition(requestId, index);
      const entity = itemToEntity({ ...next, etag: '' });
      const actions: TransactionAction[] = [
        // The first transition creates the state row (a concurrent first transition gets 409 and re-reads).
        item.etag === '' ? ['create', entity] : ['update', entity, 'Replace', { etag: item.etag }],
        ['create', auditToEntity(partition, audit)],
      ];
      if (decision.finalOutcome) {
        // One property per item, merged without a condition: concurrent items of a chunk never contend.
        actions.push(['upsert', countsPatch(requestId, index, decision.finalOutcome, next.updatedAt), 'Merge']);
      }
      try {
        const response = await this.client.submitTransaction(actions);
        const etag = response.subResponses.find((r) => r.rowKey === itemRow(index))?.etag;
        const stored = etag ? { ...next, etag } : await this.getItem(requestId, index);
        return { changed: true, item: stored ?? { ...next, etag: '' } };
      } catch (e) {
        if (!isRace(e)) throw e;
        await raceBackoff(attempt);
      }
    }
    throw new Error(`item ${requestId}/${index}: too many concurrent updates`);
  }

  async claimItem(requestId: string, index: number, options: ClaimOptions): Promise<ClaimResult> {
    let blocked: ClaimResult | undefined;
    const result = await this.transition(requestId, index, options.correlationId, (item, now) => {
      if (item.status === 'final') {
        blocked = { claimed: false, reason: 'final', item };
        return { write: false, result: { changed: false, reason: 'final', item } };
      }
      if (
        item.status === 'running' &&
        item.lease &&
        item.lease.owner !== options.owner &&
        Date.parse(item.lease.until) > now.getTime()
      ) {
        blocked = { claimed: false, reason: 'leased', item };
        return { write: false, result: { changed: false, reason: 'lost_lease', item } };
      }
      const at = now.toISOString();
      return {
        write: true,
        next: {
          ...item,
          status: 'running',
          lease: { owner: options.owner, until: new Date(now.getTime() + options.leaseSeconds * 1000).toISOString() },
          attempts: item.attempts + 1,
          startedAt: item.startedAt ?? at,
          updatedAt: at,
        },
        audit: {
          eventType: 'ExecutionStarted',
          target: { key: item.userKey, ...(item.userId ? { objectId: item.userId } : {}) },
          attempt: item.attempts + 1,
          ...(item.snapshot ? { snapshot: item.snapshot } : {}),
        },
      };
    });
    if (!result.changed) return blocked ?? { claimed: false, reason: 'missing' };
    return { claimed: true, item: result.item };
  }

  /** Records the first claim of any item on the request row (status `running`); first writer wins. */
  private async markStarted(requestId: string): Promise<void> {
    const entity = await this.getEntity(requestPartition(requestId), REQUEST_ROW);
    if (!entity || entity.startedAt) return;
    await this.client
      .updateEntity({ partitionKey: entity.partitionKey, rowKey: entity.rowKey, startedAt: this.nowIso() }, 'Merge', {
        etag: String(entity.etag),
      })
      .catch((e: unknown) => {
        if (!isRace(e)) throw e;
      });
  }

  saveSnapshot(
    requestId: string,
    index: number,
    owner: string,
    snapshot: readonly MethodRef[],
    correlationId?: string,
  ): Promise<TransitionResult> {
    return this.transition(requestId, index, correlationId, (item, now) => {
      const refused = this.ownedOrRefused(item, owner);
      if (refused) return refused;
      return {
        write: true,
        next: { ...item, snapshot: [...snapshot], updatedAt: now.toISOString() },
        audit: {
          eventType: 'SnapshotSaved',
          target: { key: item.userKey, ...(item.userId ? { objectId: item.userId } : {}) },
          snapshot,
          attempt: item.attempts,
        },
      };
    });
  }

  completeItem(
    requestId: string,
    index: number,
    owner: string,
    result: ResetResult,
    correlationId?: string,
  ): Promise<TransitionResult> {
    return this.transition(requestId, index, correlationId, (item, now) => {
      const refused = this.ownedOrRefused(item, owner);
      if (refused) return refused;
      const { lease: _lease, ...rest } = item;
      const userId = result.userId ?? item.userId;
      const next = {
        ...rest,
        status: 'final' as const,
        outcome: result.outcome,
        ...(userId ? { userId } : {}),
        methodsRemoved: result.methodsRemoved,
        methodsRemaining: result.methodsRemaining,
        ...(result.outcome === 'planned' ? { methodsPlanned: result.planned } : {}),
        ...(result.protectedReason ? { protectedReason: result.protectedReason } : {}),
        ...(result.error ? { error: result.error } : {}),
        sessionsRevoked: result.sessionsRevoked,
        graphRequestIds: mergeIds(item.graphRequestIds, result.graphRequestIds),
        updatedAt: now.toISOString(),
        finishedAt: result.finishedAt || now.toISOString(),
      };
      return {
        write: true,
        next,
        finalOutcome: result.outcome,
        audit: {
          eventType: auditTypeFor(result.outcome),
          target: { key: item.userKey, ...(userId ? { objectId: userId } : {}) },
          outcome: result.outcome,
          methodsRemoved: result.methodsRemoved,
          methodsRemaining: result.methodsRemaining,
          graphRequestIds: result.graphRequestIds,
          sessionsRevoked: result.sessionsRevoked,
          attempt: item.attempts,
          ...(result.protectedReason ? { protectedReason: result.protectedReason } : {}),
          ...(result.error ? { error: result.error } : {}),
        },
      };
    });
  }

  releaseItem(
    requestId: string,
    index: number,
    owner: string,
    note: string,
    correlationId?: string,
  ): Promise<TransitionResult> {
    return this.transition(requestId, index, correlationId, (item, now) => {
      const refused = this.ownedOrRefused(item, owner);
      if (refused) return refused;
      const { lease: _lease, ...rest } = item;
      return {
        write: true,
        next: { ...rest, status: 'queued', updatedAt: now.toISOString() },
        audit: {
          eventType: 'ExecutionDeferred',
          target: { key: item.userKey, ...(item.userId ? { objectId: item.userId } : {}) },
          attempt: item.attempts,
          note: note.slice(0, 200),
        },
      };
    });
  }

  failItem(requestId: string, index: number, error: ResetFailure, correlationId?: string): Promise<TransitionResult> {
    return this.transition(requestId, index, correlationId, (item, now) => {
      if (item.status === 'final') return { write: false, result: { changed: false, reason: 'final', item } };
      const { lease: _lease, ...rest } = item;
      const at = now.toISOString();
      return {
        write: true,
        next: { ...rest, status: 'final', outcome: 'failed', error, updatedAt: at, finishedAt: at },
        finalOutcome: 'failed',
        audit: {
          eventType: 'PoisonQuarantined',
          target: { key: item.userKey, ...(item.userId ? { objectId: item.userId } : {}) },
          outcome: 'failed',
          error,
          attempt: item.attempts,
          ...(item.snapshot ? { snapshot: item.snapshot } : {}),
        },
      };
    });
  }

  private ownedOrRefused(item: StoredItem, owner: string): Decision | undefined {
    if (item.status === 'final') return { write: false, result: { changed: false, reason: 'final', item } };
    if (item.status !== 'running' || item.lease?.owner !== owner) {
      return { write: false, result: { changed: false, reason: 'lost_lease', item } };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- audit

  async listAudit(requestId: string): Promise<readonly AuditEvent[]> {
    await this.ensureTable();
    const events: AuditEvent[] = [];
    const rowRange = `RowKey ge 'audit|' and RowKey lt 'audit|~'`;
    const filters = [
      `PartitionKey eq ${odataString(requestPartition(requestId))} and ${rowRange}`,
      `PartitionKey ge ${odataString(`item|${requestId}|`)} and PartitionKey lt ${odataString(`item|${requestId}|~`)} and ${rowRange}`,
    ];
    for (const filter of filters) {
      for await (const row of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        events.push(auditFromEntity(row));
      }
    }
    return events.sort(
      (a, b) =>
        a.eventTime.localeCompare(b.eventTime) || (a.item ?? -1) - (b.item ?? -1) || (a.seq ?? 0) - (b.seq ?? 0),
    );
  }
}

function pickCorrelation(
  correlationId: string | undefined,
  owner: { correlationId?: string },
): { correlationId?: string } {
  const id = correlationId ?? owner.correlationId;
  return id ? { correlationId: id } : {};
}

/** The state store on Azure Tables; `config` may be the whole AppConfig. The table is created on first use. */
export function createTableStore(
  config: { readonly storage: StorageConfig },
  options: TableStoreOptions = {},
): TableStore {
  return new AzureTableStore(config.storage, options);
}
