// Mapping between the port's types and table entities. Lists and objects are stored as JSON strings.

import type {
  Approval,
  CallerRef,
  ItemOutcome,
  MethodRef,
  NewItem,
  RemainingMethod,
  Requester,
  ResetFailure,
  ResetOptions,
  ResetReason,
  SealedChunk,
  SessionsNotRevokedReason,
  TapOutcome,
} from '../domain/index.js';
import { itemOutcomes } from '../domain/index.js';
import type {
  AuditEvent,
  ItemOutcomeCounts,
  ItemStatus,
  RequestPhase,
  StoredCallback,
  StoredItem,
  StoredRequest,
} from './ports.js';
import {
  auditRow,
  chunkPartition,
  CHUNK_SIZE,
  COUNTS_ROW,
  itemPartition,
  itemRow,
  outcomeProperty,
  REQUEST_ROW,
  requestPartition,
  ROSTER_ROW,
} from './keys.js';

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string; etag?: string };

const str = (e: Record<string, unknown>, key: string): string | undefined => {
  const v = e[key];
  return typeof v === 'string' ? v : undefined;
};
const num = (e: Record<string, unknown>, key: string): number => {
  const v = e[key];
  return typeof v === 'number' ? v : 0;
};
const json = <T>(e: Record<string, unknown>, key: string, fallback: T): T => {
  const v = e[key];
  return typeof v === 'string' && v !== '' ? (JSON.parse(v) as T) : fallback;
};
const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

// Azure Tables caps a string property at 64 KiB (32K UTF-16 chars); Graph request ids are the only unbounded list.
const MAX_REQUEST_IDS = 400;

export const outcomeNames: readonly ItemOutcome[] = itemOutcomes;

export const zeroCounts = (): Record<ItemOutcome, number> =>
  Object.fromEntries(outcomeNames.map((o) => [o, 0])) as Record<ItemOutcome, number>;

// ---- request

export function requestToEntity(r: StoredRequest): Entity {
  return {
    partitionKey: requestPartition(r.id),
    rowKey: REQUEST_ROW,
    kind: 'request',
    requestId: r.id,
    tenantId: r.caller.tenantId,
    appId: r.caller.appId,
    ...opt('objectId', r.caller.objectId),
    // The verified requester beyond the owner key (its tenant, app and object id are the columns above).
    identityType: r.requester.identityType,
    ...opt('tokenId', r.requester.tokenId),
    ...opt('clientAddress', r.requester.clientAddress),
    ticket: r.ticket,
    reason: r.reason,
    ...opt('requestedBy', r.requestedBy),
    options: JSON.stringify(r.options),
    source: r.source,
    itemCount: r.itemCount,
    phase: r.phase,
    idempotencyKey: r.idempotencyKey,
    fingerprint: r.fingerprint,
    ...opt('correlationId', r.correlationId),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...opt('startedAt', r.startedAt),
    ...opt('enqueuedAt', r.enqueuedAt),
    ...opt('completedAt', r.completedAt),
    ...opt('finalCounts', r.finalCounts ? JSON.stringify(r.finalCounts) : undefined),
    ...opt('approval', r.approval ? JSON.stringify(r.approval) : undefined),
    ...(r.callback ? callbackToEntity(r.callback) : {}),
  };
}

// ---- completion callback (columns of the request row; the URL only sealed)

export function callbackToEntity(c: StoredCallback): Record<string, unknown> {
  return {
    cbHost: c.host,
    cbUrl: c.sealedUrl,
    cbDelivery: c.deliveryId,
    cbStatusBase: c.statusBase,
    cbStatus: c.status,
    cbAttempts: c.attempts,
    ...opt('cbLastAttemptAt', c.lastAttemptAt),
    ...opt('cbLastStatusCode', c.lastStatusCode),
    ...opt('cbClaimUntil', c.claimUntil),
  };
}

export function callbackFromEntity(e: Record<string, unknown>): StoredCallback | undefined {
  const host = str(e, 'cbHost');
  const sealedUrl = str(e, 'cbUrl');
  const deliveryId = str(e, 'cbDelivery');
  if (!host || !sealedUrl || !deliveryId) return undefined;
  const status = str(e, 'cbStatus');
  const code = e.cbLastStatusCode;
  const claimUntil = str(e, 'cbClaimUntil');
  return {
    host,
    sealedUrl,
    deliveryId,
    statusBase: str(e, 'cbStatusBase') ?? '',
    status: status === 'delivered' || status === 'failed' ? status : 'pending',
    attempts: num(e, 'cbAttempts'),
    ...opt('lastAttemptAt', str(e, 'cbLastAttemptAt')),
    ...opt('lastStatusCode', typeof code === 'number' && code > 0 ? code : undefined),
    // Cleared by writing an empty string (a Merge cannot remove a property).
    ...opt('claimUntil', claimUntil === '' ? undefined : claimUntil),
  };
}

export function requestFromEntity(e: Record<string, unknown>): StoredRequest {
  const caller: CallerRef = {
    tenantId: str(e, 'tenantId') ?? '',
    appId: str(e, 'appId') ?? '',
    ...opt('objectId', str(e, 'objectId')),
  };
  const tokenId = str(e, 'tokenId');
  const clientAddress = str(e, 'clientAddress');
  const requester: Requester = {
    ...caller,
    identityType: str(e, 'identityType') === 'user' ? 'user' : 'app',
    ...opt('tokenId', tokenId),
    ...opt('clientAddress', clientAddress),
  };
  return {
    id: str(e, 'requestId') ?? '',
    caller,
    requester,
    ticket: str(e, 'ticket') ?? '',
    reason: (str(e, 'reason') ?? 'other') as ResetReason,
    ...opt('requestedBy', str(e, 'requestedBy')),
    options: json<ResetOptions>(e, 'options', { methods: 'all', keep: [], revokeSessions: true, dryRun: false }),
    source: str(e, 'source') === 'csv' ? 'csv' : 'json',
    itemCount: num(e, 'itemCount'),
    phase: (str(e, 'phase') ?? 'creating') as RequestPhase,
    idempotencyKey: str(e, 'idempotencyKey') ?? '',
    fingerprint: str(e, 'fingerprint') ?? '',
    ...opt('correlationId', str(e, 'correlationId')),
    createdAt: str(e, 'createdAt') ?? '',
    updatedAt: str(e, 'updatedAt') ?? '',
    ...opt('startedAt', str(e, 'startedAt')),
    ...opt('enqueuedAt', str(e, 'enqueuedAt')),
    ...opt('completedAt', str(e, 'completedAt')),
    ...opt('finalCounts', json<ItemOutcomeCounts | undefined>(e, 'finalCounts', undefined)),
    ...opt('cancelledAt', str(e, 'cancelledAt')),
    ...opt('approval', json<Approval | undefined>(e, 'approval', undefined)),
    ...opt('callback', callbackFromEntity(e)),
  };
}

// ---- roster (the targets of one chunk, packed at intake)

interface RosterMeta {
  readonly t: string;
  readonly r: ResetReason;
  readonly b?: string;
}

/** One row holding up to CHUNK_SIZE targets; ticket/reason/requestedBy are de-duplicated (usually one combination). */
export function rosterToEntity(
  requestId: string,
  chunk: number,
  items: readonly NewItem[],
  now: string,
  seal?: string,
): Entity {
  const metas: RosterMeta[] = [];
  const metaKeys = new Map<string, number>();
  const metaIndex = items.map((item) => {
    const key = JSON.stringify([item.ticket, item.reason, item.requestedBy ?? null]);
    let i = metaKeys.get(key);
    if (i === undefined) {
      i = metas.length;
      metaKeys.set(key, i);
      metas.push({ t: item.ticket, r: item.reason, ...(item.requestedBy ? { b: item.requestedBy } : {}) });
    }
    return i;
  });
  return {
    partitionKey: chunkPartition(requestId, chunk),
    rowKey: ROSTER_ROW,
    kind: 'roster',
    first: chunk * CHUNK_SIZE,
    count: items.length,
    users: JSON.stringify(items.map((i) => i.userKey)),
    metas: JSON.stringify(metas),
    ...(metas.length > 1 ? { metaIndex: JSON.stringify(metaIndex) } : {}),
    ...(seal ? { seal } : {}),
    createdAt: now,
  };
}

/** The targets of a roster as the intake stored them, with its seal (what the worker checks before acting). */
export function rosterChunk(e: Record<string, unknown>): SealedChunk {
  const users = json<string[]>(e, 'users', []);
  const metas = json<RosterMeta[]>(e, 'metas', []);
  const metaIndex = json<number[]>(e, 'metaIndex', []);
  const seal = str(e, 'seal');
  return {
    first: num(e, 'first'),
    targets: users.map((userKey, offset) => {
      const meta = metas[metaIndex[offset] ?? 0] ?? { t: '', r: 'other' as const };
      return { userKey, ticket: meta.t, reason: meta.r, ...(meta.b ? { requestedBy: meta.b } : {}) };
    }),
    ...(seal ? { seal } : {}),
  };
}

/** The items of a roster as they are before any transition (status queued, no stored row: etag ''). */
export function rosterItems(requestId: string, e: Record<string, unknown>): StoredItem[] {
  const { first, targets } = rosterChunk(e);
  const createdAt = str(e, 'createdAt') ?? '';
  return targets.map((target, offset) => ({
    requestId,
    index: first + offset,
    ...target,
    status: 'queued',
    methodsRemoved: [],
    methodsRemaining: [],
    sessionsRevoked: false,
    graphRequestIds: [],
    attempts: 0,
    revision: 0,
    createdAt,
    updatedAt: createdAt,
    etag: '',
  }));
}

// ---- item

export function itemToEntity(i: StoredItem): Entity {
  return {
    partitionKey: itemPartition(i.requestId, i.index),
    rowKey: itemRow(i.index),
    kind: 'item',
    requestId: i.requestId,
    index: i.index,
    userKey: i.userKey,
    ticket: i.ticket,
    reason: i.reason,
    ...opt('requestedBy', i.requestedBy),
    status: i.status,
    ...opt('outcome', i.outcome),
    ...opt('userId', i.userId),
    methodsRemoved: JSON.stringify(i.methodsRemoved),
    methodsRemaining: JSON.stringify(i.methodsRemaining),
    ...opt('methodsPlanned', i.methodsPlanned ? JSON.stringify(i.methodsPlanned) : undefined),
    ...opt('snapshot', i.snapshot ? JSON.stringify(i.snapshot) : undefined),
    ...opt('protectedReason', i.protectedReason),
    ...opt('errorCode', i.error?.code),
    ...opt('errorMessage', i.error?.message),
    sessionsRevoked: i.sessionsRevoked,
    ...opt('sessionsNotRevokedReason', i.sessionsNotRevokedReason),
    ...opt('tap', i.temporaryAccessPass ? JSON.stringify(i.temporaryAccessPass) : undefined),
    graphRequestIds: JSON.stringify(i.graphRequestIds.slice(-MAX_REQUEST_IDS)),
    attempts: i.attempts,
    revision: i.revision,
    ...opt('leaseOwner', i.lease?.owner),
    ...opt('leaseUntil', i.lease?.until),
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    ...opt('startedAt', i.startedAt),
    ...opt('finishedAt', i.finishedAt),
  };
}

export function itemFromEntity(e: Record<string, unknown>): StoredItem {
  const errorCode = str(e, 'errorCode');
  const leaseOwner = str(e, 'leaseOwner');
  const leaseUntil = str(e, 'leaseUntil');
  const error: ResetFailure | undefined = errorCode
    ? { code: errorCode, message: str(e, 'errorMessage') ?? '' }
    : undefined;
  const snapshot = json<MethodRef[] | undefined>(e, 'snapshot', undefined);
  return {
    requestId: str(e, 'requestId') ?? '',
    index: num(e, 'index'),
    userKey: str(e, 'userKey') ?? '',
    ticket: str(e, 'ticket') ?? '',
    reason: (str(e, 'reason') ?? 'other') as ResetReason,
    ...opt('requestedBy', str(e, 'requestedBy')),
    status: (str(e, 'status') ?? 'queued') as ItemStatus,
    ...opt('outcome', str(e, 'outcome') as ItemOutcome | undefined),
    ...opt('userId', str(e, 'userId')),
    methodsRemoved: json<MethodRef[]>(e, 'methodsRemoved', []),
    methodsRemaining: json<RemainingMethod[]>(e, 'methodsRemaining', []),
    ...opt('methodsPlanned', json<MethodRef[] | undefined>(e, 'methodsPlanned', undefined)),
    ...opt('snapshot', snapshot),
    ...opt('protectedReason', str(e, 'protectedReason')),
    ...opt('error', error),
    sessionsRevoked: e.sessionsRevoked === true,
    ...opt('sessionsNotRevokedReason', str(e, 'sessionsNotRevokedReason') as SessionsNotRevokedReason | undefined),
    ...opt('temporaryAccessPass', json<TapOutcome | undefined>(e, 'tap', undefined)),
    graphRequestIds: json<string[]>(e, 'graphRequestIds', []),
    attempts: num(e, 'attempts'),
    revision: num(e, 'revision'),
    ...opt('lease', leaseOwner && leaseUntil ? { owner: leaseOwner, until: leaseUntil } : undefined),
    createdAt: str(e, 'createdAt') ?? '',
    updatedAt: str(e, 'updatedAt') ?? '',
    ...opt('startedAt', str(e, 'startedAt')),
    ...opt('finishedAt', str(e, 'finishedAt')),
    etag: str(e, 'etag') ?? '',
  };
}

// ---- counters: one `o{offset}` property per final item

export function countsFromEntity(e: Record<string, unknown> | undefined): {
  final: number;
  counts: Record<ItemOutcome, number>;
  updatedAt?: string;
} {
  const counts = zeroCounts();
  let final = 0;
  if (!e) return { final, counts };
  for (const [key, value] of Object.entries(e)) {
    if (/^o\d+$/.test(key) && typeof value === 'string' && value in counts) {
      counts[value as ItemOutcome] += 1;
      final += 1;
    }
  }
  return { final, counts, ...opt('updatedAt', str(e, 'updatedAt')) };
}

/** The merge that records one item's outcome (idempotent: the property is set once, by the final transition). */
export function countsPatch(requestId: string, index: number, outcome: ItemOutcome, updatedAt: string): Entity {
  return {
    partitionKey: itemPartition(requestId, index),
    rowKey: COUNTS_ROW,
    kind: 'counts',
    [outcomeProperty(index)]: outcome,
    updatedAt,
  };
}

// ---- audit

export function auditToEntity(partitionKey: string, event: AuditEvent): Entity {
  return {
    partitionKey,
    rowKey: auditRow(event.eventTime, event.auditId, event.item, event.seq),
    kind: 'audit',
    eventType: event.eventType,
    eventTime: event.eventTime,
    ...opt('item', event.item),
    event: JSON.stringify(event),
  };
}

export const auditFromEntity = (e: Record<string, unknown>): AuditEvent =>
  json<AuditEvent>(e, 'event', {} as AuditEvent);
