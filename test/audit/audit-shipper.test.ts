// The shipper never fails a reset and never loses an event: a failed append is logged on one line (request id and
// storage status only) and the next reconcile ships what the table holds, in table order, once.
import { BlobServiceClient } from '@azure/storage-blob';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditShipper, createBlobAuditRecord, sha256Hex } from '../../src/lib/audit-record/index.js';
import { verifyChain } from '../../src/lib/domain/index.js';
import type { AuditEvent } from '../../src/lib/store/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startTestAzurite({ blob: true });
}, 60_000);
afterAll(async () => azurite?.stop());

const requestId = randomUUID();
const row = (n: number, item?: number): AuditEvent => ({
  schemaVersion: '2.0',
  auditId: `row-${n}`,
  eventType: item === undefined ? 'RequestReceived' : 'ExecutionStarted',
  eventTime: new Date(Date.UTC(2026, 11, 1, 8, 0, n)).toISOString(),
  requestId,
  requester: { tenantId: 't', appId: 'a', objectId: 'o', identityType: 'app' },
  ticket: 'INC0000001',
  ...(item === undefined ? {} : { item, seq: n }),
});
const table = [row(1), row(2, 0), row(3, 0)];
const rows = {
  listAudit: () => Promise.resolve(table),
  listRequestAudit: () => Promise.resolve(table.filter((r) => r.item === undefined)),
  listItemAudit: (_id: string, index: number) => Promise.resolve(table.filter((r) => r.item === index)),
  requestsChangedSince: () => Promise.resolve([requestId]),
};

describe('audit shipper', () => {
  it('a failed append resolves, logs one line without personal data, and the timer pass ships the rows later', async () => {
    // An audit account that does not answer (one try, no SDK retries, to keep the test short).
    const down = BlobServiceClient.fromConnectionString(
      azurite.connectionString.replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/, 'BlobEndpoint=http://127.0.0.1:9'),
      { retryOptions: { maxTries: 1 } },
    ).getContainerClient('audit');
    const logged: string[] = [];
    const failing = createAuditShipper({
      record: createBlobAuditRecord<AuditEvent>({ container: down }),
      rows,
      log: (event, fields) => logged.push(JSON.stringify({ event, ...fields })),
    });
    await expect(failing.ship([table[1]])).resolves.toBeUndefined();
    await expect(failing.reconcileItem(requestId, 0, true)).resolves.toBeUndefined();
    expect(logged.length).toBe(2);
    for (const line of logged) {
      expect(line).toMatch(/"event":"audit_record_append_failed".*"requestId":"[0-9a-f-]+"/);
      expect(line).not.toMatch(/\n|AccountKey|@/);
    }

    const up = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('audit');
    const record = createBlobAuditRecord<AuditEvent>({ container: up });
    const shipper = createAuditShipper({ record, rows });
    // The worker's own append of row 3 made it; rows 1 and 2 come with the timer's pass, in table order, once.
    await shipper.ship([table[2]]);
    expect(await shipper.reconcileChanged()).toEqual({ requests: 1, appended: 2, failed: 0 });
    expect(await shipper.reconcileChanged()).toEqual({ requests: 1, appended: 0, failed: 0 });
    const verdict = verifyChain(requestId, (await record.read(requestId)).lines, sha256Hex);
    expect(verdict.problems).toEqual([]);
    expect(verdict.entries.map((e) => e.event.auditId)).toEqual(['row-3', 'row-1', 'row-2']);
  }, 60_000);
});
