// The append blob record on Azurite: concurrent writers end in one unbroken chain, re-shipping is a no-op, and a
// request rolls over to further parts with the chain continuing across them.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobAuditRecord, sha256Hex } from '../../src/lib/audit-record/index.js';
import { verifyChain, type AuditRecord, type ChainEvent } from '../../src/lib/domain/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

let azurite: RunningAzurite;
let container: ContainerClient;

beforeAll(async () => {
  azurite = await startTestAzurite({ blob: true });
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('audit');
}, 60_000);
afterAll(async () => azurite?.stop());

const events = (requestId: string, prefix: string, count: number): ChainEvent[] =>
  Array.from({ length: count }, (_, i) => ({ auditId: `${prefix}-${i}`, requestId, eventType: 'ItemClaimed' }));

async function oneByOne(record: AuditRecord, requestId: string, list: readonly ChainEvent[]): Promise<void> {
  for (const event of list) await record.append(requestId, [event]);
}

describe('blob audit record', () => {
  it('two instances appending 150 events each, one at a time and concurrently, end in one unbroken chain', async () => {
    const requestId = randomUUID();
    const a = createBlobAuditRecord({ container });
    const b = createBlobAuditRecord({ container });
    const fromA = events(requestId, 'a', 150);
    const fromB = events(requestId, 'b', 150);
    // Each instance ships its events one append at a time (so every one is its own call, racing the other
    // instance's), both at once.
    await Promise.all([oneByOne(a, requestId, fromA), oneByOne(b, requestId, fromB)]);

    const { lines } = await a.read(requestId);
    const verdict = verifyChain(requestId, lines, sha256Hex);
    expect(verdict.problems).toEqual([]);
    expect(verdict.entries.length).toBe(300);
    expect(new Set(verdict.entries.map((e) => e.event.auditId))).toEqual(
      new Set([...fromA, ...fromB].map((e) => e.auditId)),
    );
    // Each instance's own events keep the order it appended them in.
    const order = verdict.entries.map((e) => e.event.auditId).filter((id) => id.startsWith('a-'));
    expect(order).toEqual(fromA.map((e) => e.auditId));
  }, 120_000);

  it('appending an event already recorded is a no-op, from this instance or a fresh one', async () => {
    const requestId = randomUUID();
    const list = events(requestId, 'x', 5);
    const first = createBlobAuditRecord({ container });
    expect(await first.append(requestId, list.slice(0, 3))).toEqual({ appended: 3, alreadyRecorded: 0 });
    expect(await first.append(requestId, list)).toEqual({ appended: 2, alreadyRecorded: 3 });
    const fresh = createBlobAuditRecord({ container });
    expect(await fresh.append(requestId, [...list, list[0]])).toEqual({ appended: 0, alreadyRecorded: 6 });
    const { lines } = await fresh.read(requestId);
    expect(lines.length).toBe(5);
    expect(verifyChain(requestId, lines, sha256Hex).problems).toEqual([]);
  });

  it('several events shipped together go in one block; appends queued meanwhile go in the next one', async () => {
    const requestId = randomUUID();
    const record = createBlobAuditRecord({ container });
    await record.append(requestId, events(requestId, 'batch', 40));
    const blob = container.getAppendBlobClient(`requests/${requestId}.jsonl`);
    expect((await blob.getProperties()).blobCommittedBlockCount).toBe(1);
    // 30 single-event appends issued at once: the first runs alone, the other 29 wait and go together.
    const results = await Promise.all(events(requestId, 'burst', 30).map((e) => record.append(requestId, [e])));
    expect(results.every((r) => r.appended === 1)).toBe(true);
    expect((await blob.getProperties()).blobCommittedBlockCount).toBe(3);
    expect(verifyChain(requestId, (await record.read(requestId)).lines, sha256Hex).problems).toEqual([]);
  });

  it('rolls over to further parts near the threshold; the chain continues and read returns every part', async () => {
    const requestId = randomUUID();
    const a = createBlobAuditRecord({ container, rollBytes: 2_000 });
    const b = createBlobAuditRecord({ container, rollBytes: 2_000 });
    const fromA = events(requestId, 'a', 40);
    const fromB = events(requestId, 'b', 40);
    await Promise.all([oneByOne(a, requestId, fromA), oneByOne(b, requestId, fromB)]);
    const { lines, parts } = await createBlobAuditRecord({ container }).read(requestId);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.slice(0, 3)).toEqual([
      `requests/${requestId}.jsonl`,
      `requests/${requestId}.2.jsonl`,
      `requests/${requestId}.3.jsonl`,
    ]);
    const verdict = verifyChain(requestId, lines, sha256Hex);
    expect(verdict.problems).toEqual([]);
    expect(verdict.entries.length).toBe(80);
    // A fresh instance finds the last part and continues the chain there.
    await createBlobAuditRecord({ container, rollBytes: 2_000 }).append(requestId, events(requestId, 'late', 1));
    const after = await a.read(requestId);
    expect(verifyChain(requestId, after.lines, sha256Hex).problems).toEqual([]);
    expect(after.lines.length).toBe(81);
  }, 60_000);

  it('lists the requests whose record changed since a time', async () => {
    const requestId = randomUUID();
    const since = new Date(Date.now() - 1_000);
    await createBlobAuditRecord({ container }).append(requestId, events(requestId, 'l', 1));
    const record = createBlobAuditRecord({ container });
    expect(await record.listChangedSince(since)).toContain(requestId);
    expect(await record.listChangedSince(new Date(Date.now() + 60_000))).not.toContain(requestId);
  });
});
