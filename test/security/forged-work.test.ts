// Work the intake did not create through its API is never carried out (issue 15, point 5; docs/security.md). Whoever
// can write the data table and the queue (the intake's storage role) but does not hold ITEM_SEAL_KEY can store a
// request, edit a stored one or forge an approval: the worker refuses each before any Graph call, ends the item
// `failed` (`item_not_authentic` / `item_invalid`) with an `ItemRefused` audit row, and raises MfaReset.ItemRefused.
// Real Azurite, the emulator and the composed worker; the edits are made on the table as an attacker would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { newSealKey } from '../../dev/stack/seal-key.js';
import { defaultResetOptions, type ResetOptions } from '../../src/lib/domain/index.js';
import { createHmacSealer } from '../../src/lib/seal/hmac-sealer.js';
import { createTableStore, type StateStore, type TableStore } from '../../src/lib/store/index.js';
import { itemPartition, itemRow, REQUEST_ROW, requestPartition, ROSTER_ROW } from '../../src/lib/store/keys.js';
import { telemetryEvents } from '../../src/lib/telemetry/index.js';
import { processItem, type ProcessItemDeps } from '../../src/lib/worker/index.js';
import { finalItem, startStack, type TestStack } from '../e2e/support/stack.js';
import { storeOneUserRequest } from '../support/stored-request.js';

let stack: TestStack;
let forger: TableStore;
let worker: ProcessItemDeps;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const requester = { tenantId: DEMO_TENANT_ID, appId: DEMO_APPS.servicenow.appId, identityType: 'app' } as const;

beforeAll(async () => {
  stack = await startStack({ mode: 'worker' });
  // The same table, written with the intake's storage rights but without the seal key.
  forger = createTableStore({
    storage: { kind: 'connectionString', connectionString: stack.azurite.connectionString },
  });
  if (!stack.app.worker) throw new Error('worker deps missing');
  worker = stack.app.worker;
});
afterAll(async () => {
  await stack?.stop();
});

const store = (
  into: StateStore,
  user: string,
  options: ResetOptions = defaultResetOptions,
  approval?: { windowMs: number },
): Promise<string> => storeOneUserRequest(into, user, { requester, options, ...(approval ? { approval } : {}) });

const run = (requestId: string, deps: ProcessItemDeps = worker) =>
  processItem(deps, { v: 1, requestId, item: 0 }, { invocationId: `inv-${requestId}`, log: quiet });

async function graphCallsFor(user: string): Promise<number> {
  const { id } = await stack.emulator.user(user);
  return (await stack.emulator.requests({ path: id })).length;
}

async function expectRefused(requestId: string, detail: string): Promise<void> {
  const item = await stack.app.store.getItem(requestId, 0);
  expect(item).toMatchObject({ status: 'final', outcome: 'failed', error: { code: 'item_not_authentic' } });
  const audit = await stack.app.store.listAudit(requestId);
  expect(audit.map((a) => a.eventType)).toContain('ItemRefused');
  const events = stack.telemetry.eventsNamed(telemetryEvents.itemRefused).map((e) => e.properties);
  expect(events).toContainEqual(expect.objectContaining({ requestId, code: 'item_not_authentic', detail }));
}

describe('work the intake did not create through its API', () => {
  it('a request stored straight into the table and queued is refused with no Graph call', async () => {
    const before = await graphCallsFor(DEMO_USERS.plain);
    const requestId = await store(forger, DEMO_USERS.plain);
    await stack.app.queue.submit(requestId, 1);
    const item = await finalItem(stack.app.store, requestId, 'the forged item to be refused');
    expect(item.error?.message).toMatch(/not created through the API/);
    await expectRefused(requestId, 'chunk_not_sealed');
    expect(await graphCallsFor(DEMO_USERS.plain)).toBe(before);
  });

  it('a sealed request whose target was swapped in the roster is refused', async () => {
    const requestId = await store(stack.app.store, DEMO_USERS.plain);
    const client = stack.app.store.client;
    await client.updateEntity(
      {
        partitionKey: itemPartition(requestId, 0),
        rowKey: ROSTER_ROW,
        users: JSON.stringify([DEMO_USERS.defaultOath]),
      },
      'Merge',
    );
    const before = await graphCallsFor(DEMO_USERS.defaultOath);
    expect(await run(requestId)).toBe('refused');
    await expectRefused(requestId, 'chunk_not_sealed');
    expect(await graphCallsFor(DEMO_USERS.defaultOath)).toBe(before);
  });

  it('an item row rewritten to name another user than the sealed target is refused', async () => {
    const requestId = await store(stack.app.store, DEMO_USERS.plain);
    // A first attempt wrote the item's own row (claim, then a deferral gave it back).
    const claim = await stack.app.store.claimItem(requestId, 0, { owner: 'first', leaseSeconds: 60 });
    if (!claim.claimed) throw new Error('claim refused');
    await stack.app.store.releaseItem(requestId, 0, 'first', 'graph_throttled retry_after_s=1');
    await stack.app.store.client.updateEntity(
      { partitionKey: itemPartition(requestId, 0), rowKey: itemRow(0), userKey: DEMO_USERS.defaultOath },
      'Merge',
    );
    const before = await graphCallsFor(DEMO_USERS.defaultOath);
    expect(await run(requestId)).toBe('refused');
    await expectRefused(requestId, 'item_differs_from_sealed_target');
    expect(await graphCallsFor(DEMO_USERS.defaultOath)).toBe(before);
  });

  it('a dry run edited into a real reset is refused (the options are sealed with the targets)', async () => {
    const requestId = await store(stack.app.store, DEMO_USERS.plain, { ...defaultResetOptions, dryRun: true });
    await stack.app.store.client.updateEntity(
      {
        partitionKey: requestPartition(requestId),
        rowKey: REQUEST_ROW,
        options: JSON.stringify(defaultResetOptions),
      },
      'Merge',
    );
    expect(await run(requestId)).toBe('refused');
    await expectRefused(requestId, 'chunk_not_sealed');
  });

  it('an approval written into the request row, not decided through the API, is refused', async () => {
    const requestId = await store(stack.app.store, DEMO_USERS.plain, defaultResetOptions, { windowMs: 3_600_000 });
    const request = await stack.app.store.getRequest(requestId);
    if (!request?.approval) throw new Error('the request does not wait for approval');
    await stack.app.store.client.updateEntity(
      {
        partitionKey: requestPartition(requestId),
        rowKey: REQUEST_ROW,
        phase: 'accepted',
        approval: JSON.stringify({
          ...request.approval,
          state: 'approved',
          decidedAt: new Date().toISOString(),
          decidedBy: { tenantId: DEMO_TENANT_ID, appId: DEMO_APPS.approver.appId, objectId: DEMO_APPS.approver.appId },
        }),
      },
      'Merge',
    );
    expect(await run(requestId)).toBe('refused');
    await expectRefused(requestId, 'approval_not_sealed');
  });

  it('removing the approval from a request that waits for one breaks its seal', async () => {
    const requestId = await store(stack.app.store, DEMO_USERS.plain, defaultResetOptions, { windowMs: 3_600_000 });
    await stack.app.store.client.updateEntity(
      { partitionKey: requestPartition(requestId), rowKey: REQUEST_ROW, phase: 'accepted', approval: '' },
      'Merge',
    );
    expect(await run(requestId)).toBe('refused');
    await expectRefused(requestId, 'chunk_not_sealed');
  });

  it('a stored item that breaks the API rules is refused before its seal is even looked at', async () => {
    const requestId = await store(stack.app.store, DEMO_USERS.plain);
    await stack.app.store.client.updateEntity(
      {
        partitionKey: itemPartition(requestId, 0),
        rowKey: ROSTER_ROW,
        metas: JSON.stringify([{ t: 'INC 1; DROP', r: 'lost_device' }]),
      },
      'Merge',
    );
    expect(await run(requestId)).toBe('refused');
    const item = await stack.app.store.getItem(requestId, 0);
    expect(item).toMatchObject({ outcome: 'failed', error: { code: 'item_invalid' } });
    expect(item?.error?.message).toMatch(/\(ticket\)/);
    expect(item?.error?.message).not.toContain('DROP');
  });

  it('after a key rotation, work sealed with the previous key is still done; without it, refused', async () => {
    const oldKey = Buffer.from(newSealKey(), 'base64');
    const newKey = Buffer.from(newSealKey(), 'base64');
    const oldIntake = createTableStore(
      { storage: { kind: 'connectionString', connectionString: stack.azurite.connectionString } },
      { sealer: createHmacSealer({ current: oldKey }) },
    );
    const refusedId = await store(oldIntake, DEMO_USERS.plain, { ...defaultResetOptions, dryRun: true });
    const acceptedId = await store(oldIntake, DEMO_USERS.plain, { ...defaultResetOptions, dryRun: true });
    expect(await run(refusedId, { ...worker, sealer: createHmacSealer({ current: newKey }) })).toBe('refused');
    const rotated = { ...worker, sealer: createHmacSealer({ current: newKey, previous: oldKey }) };
    expect(await run(acceptedId, rotated)).toBe('completed');
    expect(await stack.app.store.getItem(acceptedId, 0)).toMatchObject({ outcome: 'planned' });
  });
});
