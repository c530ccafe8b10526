// The audit record on append blobs: one chain per request in `requests/<id>.jsonl`, continued in `<id>.2.jsonl`, …
// when a part nears the append blob's limits. Several worker instances append to the same request at once:
//  - in this process, appends to one request run one after another, and whatever queues meanwhile goes in the next
//    append as one block (a busy request costs one call per round trip, not one per event);
//  - every append carries the append-position condition (the committed length this writer last saw), so a block
//    lands only right after the entry it links to; on a lost race the writer reads the new bytes, continues the chain
//    from them and tries again (bounded, with jitter);
//  - a part that reached the threshold is never appended to again (every writer decides from the same committed
//    length and block count, under the same condition), so the chain cannot fork across parts.
// REST reference: "Append Block" (x-ms-blob-condition-appendpos, 412 AppendPositionConditionNotMet), "Put Blob"
// (x-ms-blob-type AppendBlob, If-None-Match: *), "Get Blob" (x-ms-range, x-ms-blob-committed-block-count),
// "List Blobs" (prefix) on learn.microsoft.com/rest/api/storageservices.
import type { AppendBlobClient, ContainerClient } from '@azure/storage-blob';
import {
  chainEntries,
  entryLine,
  recordLines,
  type AuditRecord,
  type AuditRecordAppend,
  type AuditRecordRead,
  type ChainEvent,
  type HashText,
} from '../domain/index.js';
import { blobErrorCode, blobStatus } from './blob-errors.js';
import { absorb, emptyTail, partName, requestIdOfPart, type RecordTail } from './record-tail.js';
import { sha256Hex } from './sha256.js';

export interface BlobAuditRecordOptions {
  readonly container: ContainerClient;
  /** Start a new part once the current one holds this many bytes (default 64 MiB; tests use a small one). */
  readonly rollBytes?: number;
  /** … or this many committed blocks (default 45,000, under the 50,000 an append blob accepts). */
  readonly rollBlocks?: number;
  /** Attempts per append before giving up (a lost race counts one; default 30). */
  readonly maxAttempts?: number;
  /** Requests whose tail stays cached (default 2,000; the oldest goes first). */
  readonly cacheSize?: number;
  readonly hash?: HashText;
}

/** An append block holds at most 4 MiB on every service version: larger batches go in several blocks. */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

interface Waiting<E> {
  readonly events: readonly E[];
  readonly resolve: (result: AuditRecordAppend) => void;
  readonly reject: (error: unknown) => void;
}

const jitter = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** attempt)));

async function streamBytes(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Committed bytes from `offset` on, and the part's block count; undefined when the blob does not exist. */
async function readFrom(
  blob: AppendBlobClient,
  offset: number,
): Promise<{ bytes: Buffer; blocks: number | undefined } | undefined> {
  try {
    // Get Blob from an offset: whole blocks only, since every block this service appends ends with a newline.
    const response = await blob.download(offset);
    return { bytes: await streamBytes(response.readableStreamBody), blocks: response.blobCommittedBlockCount };
  } catch (e) {
    if (blobStatus(e) === 404) return undefined;
    // 416: nothing at or after the offset.
    if (blobStatus(e) === 416) return { bytes: Buffer.alloc(0), blocks: undefined };
    throw e;
  }
}

export function createBlobAuditRecord<E extends ChainEvent>(options: BlobAuditRecordOptions): AuditRecord<E> {
  const { container } = options;
  const hash = options.hash ?? sha256Hex;
  const rollBytes = options.rollBytes ?? 64 * 1024 * 1024;
  const rollBlocks = options.rollBlocks ?? 45_000;
  const maxAttempts = options.maxAttempts ?? 30;
  const cacheSize = options.cacheSize ?? 2_000;
  const tails = new Map<string, RecordTail>();
  /** Appends waiting per request, and the requests whose appends are running (one at a time per request). */
  const queued = new Map<string, Waiting<E>[]>();
  const draining = new Set<string>();
  let containerReady: Promise<void> | undefined;

  const blob = (requestId: string, part: number): AppendBlobClient =>
    container.getAppendBlobClient(partName(requestId, part));

  const ensureContainer = (): Promise<void> => {
    // In Azure the infra creates the container (with its immutability policy); locally Azurite needs it created.
    containerReady ??= container
      .createIfNotExists()
      .then(() => undefined)
      .catch((e: unknown) => {
        // 403: an identity allowed to append but not to create containers (Azure, where the infra made it): done.
        if (blobStatus(e) === 403) return;
        containerReady = undefined;
        throw e;
      });
    return containerReady;
  };

  /** Reads every part from the start: the tail of a request this process has not appended to yet. */
  async function loadTail(requestId: string): Promise<RecordTail> {
    const tail = emptyTail();
    for (let part = 1; ; part++) {
      const read = await readFrom(blob(requestId, part), 0);
      if (!read) return tail;
      tail.part = part;
      tail.exists = true;
      tail.length = read.bytes.length;
      tail.blocks = read.blocks ?? 0;
      absorb(tail, read.bytes.toString('utf8'));
    }
  }

  /** After a lost race: takes in what others appended to the current part since this writer last saw it. */
  async function catchUp(requestId: string, tail: RecordTail): Promise<RecordTail> {
    const read = await readFrom(blob(requestId, tail.part), tail.length);
    // Gone, or shorter than we saw (not our doing): start again from what is stored.
    if (!read || (read.bytes.length === 0 && read.blocks === undefined)) return loadTail(requestId);
    tail.exists = true;
    tail.length += read.bytes.length;
    if (read.blocks !== undefined) tail.blocks = read.blocks;
    absorb(tail, read.bytes.toString('utf8'));
    return tail;
  }

  /** Creates the current part (first writer wins); when another writer created it first, takes in its content. */
  async function createPart(requestId: string, tail: RecordTail): Promise<RecordTail> {
    try {
      await blob(requestId, tail.part).create({ conditions: { ifNoneMatch: '*' } });
      tail.exists = true;
      tail.length = 0;
      tail.blocks = 0;
      return tail;
    } catch (e) {
      if (blobStatus(e) !== 409 && blobStatus(e) !== 412) throw e;
      tail.exists = true;
      tail.length = 0;
      return catchUp(requestId, tail);
    }
  }

  /** Appends what the chain lacks of `events`; returns the auditIds this call appended. */
  async function appendNow(requestId: string, events: readonly E[]): Promise<ReadonlySet<string>> {
    await ensureContainer();
    let tail = tails.get(requestId) ?? (await loadTail(requestId));
    tails.delete(requestId); // re-inserted at the end: the map's order is the eviction order
    const appended = new Set<string>();
    let pending = [...events];
    try {
      for (let attempt = 0; ; attempt++) {
        const fresh: E[] = [];
        const inBatch = new Set<string>();
        for (const event of pending) {
          if (!tail.auditIds.has(event.auditId) && !inBatch.has(event.auditId)) {
            inBatch.add(event.auditId);
            fresh.push(event);
          }
        }
        pending = fresh;
        if (pending.length === 0) break;
        if (attempt >= maxAttempts)
          throw new Error(`audit record: ${pending.length} events not appended after ${attempt} attempts`);
        if (tail.exists && (tail.length >= rollBytes || tail.blocks >= rollBlocks)) {
          tail.part += 1;
          tail.exists = false;
        }
        if (!tail.exists) {
          tail = await createPart(requestId, tail);
          continue;
        }
        const { entries, tail: chain } = chainEntries(requestId, tail.chain, pending, hash);
        // As many entries as fit one block, in order (nearly always all of them).
        let body = '';
        let count = 0;
        for (const entry of entries) {
          const line = entryLine(entry);
          if (count > 0 && Buffer.byteLength(body + line) > MAX_BLOCK_BYTES) break;
          body += line;
          count += 1;
        }
        const bytes = Buffer.from(body, 'utf8');
        try {
          const response = await blob(requestId, tail.part).appendBlock(bytes, bytes.length, {
            conditions: { appendPosition: tail.length },
          });
          tail.length += bytes.length;
          tail.blocks = response.blobCommittedBlockCount ?? tail.blocks + 1;
          const last = entries[count - 1];
          tail.chain = count === entries.length ? chain : last ? { seq: last.seq, hash: last.hash } : tail.chain;
          for (const entry of entries.slice(0, count)) {
            tail.auditIds.add(entry.event.auditId);
            appended.add(entry.event.auditId);
          }
          pending = pending.slice(count);
          attempt = -1; // progress made: the attempt budget is for lost races in a row
        } catch (e) {
          if (blobStatus(e) === 412 || blobErrorCode(e) === 'AppendPositionConditionNotMet') {
            tail = await catchUp(requestId, tail);
            await jitter(attempt);
          } else if (blobStatus(e) === 404) {
            tail = await loadTail(requestId);
          } else throw e;
        }
      }
      tails.set(requestId, tail);
      if (tails.size > cacheSize) tails.delete(tails.keys().next().value ?? requestId);
      return appended;
    } catch (e) {
      // The next append reads the record again rather than trusting a tail this failure may have left behind.
      tails.delete(requestId);
      throw e;
    }
  }

  /**
   * Runs one request's waiting appends, one batch at a time: everything that queued while the previous append ran goes
   * in the next one, in arrival order, so a busy request costs one append call per round trip, not one per event.
   */
  async function drain(requestId: string): Promise<void> {
    draining.add(requestId);
    try {
      for (let batch = queued.get(requestId); batch?.length; batch = queued.get(requestId)) {
        queued.delete(requestId);
        try {
          const appended = await appendNow(
            requestId,
            batch.flatMap((w) => w.events),
          );
          // Each caller learns what became of its own events (the first to ask for an auditId is credited with it).
          const credited = new Set<string>();
          for (const w of batch) {
            let mine = 0;
            for (const e of w.events) {
              if (appended.has(e.auditId) && !credited.has(e.auditId)) {
                credited.add(e.auditId);
                mine += 1;
              }
            }
            w.resolve({ appended: mine, alreadyRecorded: w.events.length - mine });
          }
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      draining.delete(requestId);
    }
  }

  return {
    append(requestId, events) {
      return new Promise<AuditRecordAppend>((resolve, reject) => {
        const waiting = queued.get(requestId) ?? [];
        waiting.push({ events, resolve, reject });
        queued.set(requestId, waiting);
        if (!draining.has(requestId)) void drain(requestId);
      });
    },

    async read(requestId): Promise<AuditRecordRead> {
      const lines: string[] = [];
      const parts: string[] = [];
      for (let part = 1; ; part++) {
        const read = await readFrom(blob(requestId, part), 0);
        if (!read) break;
        parts.push(partName(requestId, part));
        lines.push(...recordLines(read.bytes.toString('utf8')));
      }
      return { lines, parts };
    },

    async listChangedSince(since) {
      const ids = new Set<string>();
      try {
        for await (const item of container.listBlobsFlat({ prefix: 'requests/' })) {
          const id = requestIdOfPart(item.name);
          if (id && (item.properties.lastModified?.getTime() ?? 0) >= since.getTime()) ids.add(id);
        }
      } catch (e) {
        if (blobStatus(e) === 404) return [];
        throw e;
      }
      return [...ids];
    },
  };
}
