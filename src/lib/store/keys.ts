// Row layout of the state table. One table holds everything; partitions keep each atomic write local:
//   req|{id}            request   : the request row
//                       audit|…   : request-level audit rows (RequestReceived, RequestEnqueued)
//   item|{id}|{chunk}   roster    : the chunk's CHUNK_SIZE targets, packed in one row at intake (fast bulk intake)
//                       0000000…  : item state rows (row key = zero-padded index), created at the first transition
//                       counts    : one property per final item (`o{offset}` = outcome), merged in the same
//                                   transaction as the item's final transition: no contention, counted once
//                       audit|…   : item audit rows, written in the same transaction as the transition
//   idem|{key}          idem      : idempotency record (key → request id, body fingerprint)
//   pending             {id}      : requests whose queue hand-off is not confirmed yet (for a sweeper)

/** Default table name (Azure table names: letters and digits, starting with a letter). */
export const DEFAULT_TABLE_NAME = 'mfaresets';

/** Items per partition: one entity-group transaction (≤100 operations) writes a whole chunk at creation. */
export const CHUNK_SIZE = 100;

export const REQUEST_ROW = 'request';
export const COUNTS_ROW = 'counts';
export const ROSTER_ROW = 'roster';
export const outcomeProperty = (index: number): string => `o${pad(index % CHUNK_SIZE, 2)}`;
export const IDEMPOTENCY_ROW = 'idem';
export const PENDING_PARTITION = 'pending';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const requestPartition = (requestId: string): string => `req|${requestId}`;
export const chunkOf = (index: number): number => Math.floor(index / CHUNK_SIZE);
export const chunkPartition = (requestId: string, chunk: number): string => `item|${requestId}|${pad(chunk, 5)}`;
export const itemPartition = (requestId: string, index: number): string => chunkPartition(requestId, chunkOf(index));
export const itemRow = (index: number): string => pad(index, 7);
export const idempotencyPartition = (key: string): string => `idem|${key}`;
export const chunkCount = (itemCount: number): number => Math.ceil(itemCount / CHUNK_SIZE);

/** Audit rows sort by time within their partition; the audit id keeps concurrent rows apart. */
export const auditRow = (eventTime: string, auditId: string, index?: number, seq?: number): string =>
  index === undefined
    ? `audit|${eventTime}|${auditId}`
    : `audit|${pad(index, 7)}|${pad(seq ?? 0, 4)}|${eventTime}|${auditId}`;

/** OData string literal (single quotes doubled). */
export const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
