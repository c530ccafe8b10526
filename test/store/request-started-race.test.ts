// The request row has two writers when work starts: the intake confirms the queue hand-off (phase accepted →
// enqueued) while a worker that already got the message marks the request started (startedAt). The status endpoint
// counts items only once startedAt is set, so a lost startedAt leaves a finished request reported `queued` for ever
// (seen as a stalled secret-leaks run: every item final, every status poll 202). This test puts the intake's write
// exactly between the worker's read of the request row and its conditional write, through the worker's real
// TableClient pipeline against Azurite.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResetOptions, type ResetResult } from '../../src/lib/domain/index.js';
import { createTableStore, type NewRequest, type TableStore } from '../../src/lib/store/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

type PipelinePolicy = Parameters<TableStore['client']['pipeline']['addPolicy']>[0];

let azurite: RunningAzurite;
let intake: TableStore;
let worker: TableStore;

beforeAll(async () => {
  azurite = await startTestAzurite();
  const storage = { storage: { kind: 'connectionString' as const, connectionString: azurite.connectionString } };
  // Two stores, as the intake and the worker are two invocations (often two instances) with their own caches.
  intake = createTableStore(storage);
  worker = createTableStore(storage);
});
afterAll(async () => {
  await azurite?.stop();
});

function draft(user: string): NewRequest {
  const ticket = 'INC0077001';
  return {
    requester: { tenantId: 't1', appId: 'app-a', identityType: 'app' },
    ticket,
    reason: 'lost_device',
    options: defaultResetOptions,
    source: 'csv',
    items: [{ userKey: user, ticket, reason: 'lost_device' }],
    idempotencyKey: randomUUID(),
    fingerprint: randomUUID(),
  };
}

const done: ResetResult = {
  outcome: 'reset',
  methodsBefore: [],
  planned: [],
  methodsRemoved: [],
  methodsRemaining: [],
  unknownTypes: [],
  sessionsRevoked: true,
  graphRequestIds: [],
  startedAt: new Date().toISOString(),
  finishedAt: new Date().toISOString(),
};

/** Before the worker's first non-batch write to the request row, runs `meanwhile` (once). */
function interleave(requestId: string, meanwhile: () => Promise<void>): PipelinePolicy & { ran: boolean } {
  const policy: PipelinePolicy & { ran: boolean } = {
    name: 'interleave-intake-write',
    ran: false,
    async sendRequest(request, next) {
      const row = `PartitionKey='req|${requestId}',RowKey='request'`;
      if (!policy.ran && request.method !== 'GET' && decodeURIComponent(request.url).includes(row)) {
        policy.ran = true;
        await meanwhile();
      }
      return next(request);
    },
  };
  return policy;
}

describe('table store: the request row written by the intake and a worker at once', () => {
  it('keeps the start mark when the intake confirms the hand-off between the worker reading and writing it', async () => {
    const created = await intake.createRequest(draft('race@contoso.com'));
    if (created.kind !== 'created') throw new Error(created.kind);
    const id = created.request.id;

    // The worker got the message before the intake confirmed the hand-off (the queue trigger is that fast).
    expect(await worker.getRequest(id)).toMatchObject({ phase: 'accepted' });
    const policy = interleave(id, () => intake.markEnqueued(id));
    worker.client.pipeline.addPolicy(policy);
    try {
      const claim = await worker.claimItem(id, 0, { owner: 'w1', leaseSeconds: 60 });
      expect(claim.claimed).toBe(true);
      expect(policy.ran).toBe(true);
      expect(await worker.completeItem(id, 0, 'w1', done)).toMatchObject({ changed: true });
    } finally {
      worker.client.pipeline.removePolicy({ name: policy.name });
    }

    const request = await intake.getRequest(id);
    expect(request).toMatchObject({ phase: 'enqueued' });
    expect(await intake.getSummary(request!)).toMatchObject({ status: 'completed', pending: 0, counts: { reset: 1 } });
    expect(request?.startedAt).toBeDefined();
  });
});
