// The rows tell the truth on every path that ends an attempt early (issue 15, point 1), end to end through the
// worker's queue host, the real Graph client, the emulator and Azurite. The emulator's request log is the truth:
// `methodsRemoved` is exactly the DELETEs it answered 204 for the user, `methodsRemaining` exactly what it still has,
// on the item and in the audit row that ends it, and a deferred attempt's deletes are kept for the next attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticator,
  email,
  fido2,
  phone,
  softwareOath,
  windowsHello,
} from '../../dev/graph-emulator/fixtures/method-factory.js';
import { guidFrom } from '../../dev/graph-emulator/ids.js';
import { DEMO_DOMAIN, type LoggedRequest } from '../../dev/graph-emulator/index.js';
import type { AuditEvent, StoredItem } from '../../src/lib/store/index.js';
import { currentIds, deletedIds, idsOf } from '../support/graph-truth.js';
import { enqueueStoredReset, startStack, until, type TestStack } from './support/stack.js';

let stack: TestStack;

const idOf = (name: string): string => guidFrom('true-rows', name);
const upnOf = (name: string): string => `${name}@${DEMO_DOMAIN}`;

/** A user whose reset deletes five methods in one batch, then the Authenticator (the default); the password stays. */
async function addUser(name: string): Promise<{ id: string; upn: string }> {
  const id = idOf(name);
  await stack.emulator.putUser({
    id,
    userPrincipalName: upnOf(name),
    displayName: name,
    preferredMethod: 'push',
    methods: [
      phone('mobile', 7),
      email(`${name}@mail.example`),
      fido2(id, 'deviceBound'),
      softwareOath(id),
      windowsHello(id, 'LAPTOP-7'),
      authenticator(id, 'Pixel 7'),
    ],
  });
  return { id, upn: upnOf(name) };
}

beforeAll(async () => {
  // A wait Graph asks for beyond 1 s defers the item (the queue brings it back), instead of waiting in process.
  stack = await startStack({ mode: 'worker', env: { GRAPH_MAX_WAIT_SECONDS: '1' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function finalItem(requestId: string): Promise<StoredItem> {
  return until(async () => {
    const item = await stack.app.store.getItem(requestId, 0);
    return item?.status === 'final' ? item : undefined;
  }, `item ${requestId}/0 to be final`);
}

/** The first ExecutionDeferred row, with the emulator's log read before the next attempt could begin its deletes. */
async function firstDeferral(requestId: string): Promise<{ row: AuditEvent; log: LoggedRequest[] }> {
  const seen = await until(async () => {
    const row = (await stack.app.store.listAudit(requestId)).find((a) => a.eventType === 'ExecutionDeferred');
    if (!row) return undefined;
    const log = await stack.emulator.requests();
    // Read after the log: not claimed again yet, so the log holds only the first attempt's deletes.
    const item = await stack.app.store.getItem(requestId, 0);
    return { row, log, item };
  }, `the first deferral of ${requestId}`);
  expect(seen.item).toMatchObject({ status: 'queued', attempts: 1 });
  return seen;
}

/** Every row that carries what the item removed, and the row that ended it, agree with the emulator. */
async function expectTrueEnd(requestId: string, userId: string, eventType: string): Promise<StoredItem> {
  const item = await finalItem(requestId);
  const deleted = deletedIds(await stack.emulator.requests(), userId);
  const left = await currentIds(stack.emulator, userId);
  expect(idsOf(item.methodsRemoved)).toEqual(deleted);
  expect(idsOf(item.methodsRemaining)).toEqual(left);
  const rows = (await stack.app.store.listAudit(requestId)).filter((a) => a.eventType === eventType);
  expect(rows).toHaveLength(1);
  expect(idsOf(rows[0].methodsRemoved ?? [])).toEqual(deleted);
  expect(idsOf(rows[0].methodsRemaining ?? [])).toEqual(left);
  return item;
}

describe('rows after an attempt that ends early', () => {
  it('a refusal after some deletes: the item and its ResetFailed row name exactly the deletes Graph answered', async () => {
    const user = await addUser('rows.refused');
    // The third DELETE is refused (as if a permission were withdrawn mid-run); the rest of its batch goes through.
    await stack.emulator.setFaults({ seed: 21, sequence: ['ok', 'ok', 403], methods: ['DELETE'], path: user.id });
    const request = await enqueueStoredReset(stack, user.upn);
    const item = await expectTrueEnd(request.id, user.id, 'ResetFailed');
    await stack.emulator.setFaults(null);

    expect(item).toMatchObject({ outcome: 'failed', error: { code: 'graph_permission_missing' }, attempts: 1 });
    expect(item.methodsRemoved).toHaveLength(4);
    // The refused method, the default (its batch never came) and the password.
    expect(item.methodsRemaining).toHaveLength(3);
    expect(item.methodsRemaining.map((m) => m.type)).toEqual(
      expect.arrayContaining(['microsoftAuthenticator', 'password']),
    );
  });

  it('a throttling deferral after some deletes, then completion: both attempts are counted', async () => {
    const user = await addUser('rows.throttled');
    // The third DELETE is throttled with a Retry-After beyond the 1 s budget: the attempt is deferred.
    await stack.emulator.setFaults({
      seed: 22,
      sequence: ['ok', 'ok', 429],
      retryAfter: 2,
      methods: ['DELETE'],
      path: user.id,
    });
    const request = await enqueueStoredReset(stack, user.upn);
    const deferral = await firstDeferral(request.id);
    const firstDeletes = deletedIds(deferral.log, user.id);
    expect(firstDeletes.length).toBeGreaterThanOrEqual(2);
    expect(firstDeletes.length).toBeLessThan(6);
    expect(idsOf(deferral.row.methodsRemoved ?? [])).toEqual(firstDeletes);

    const item = await expectTrueEnd(request.id, user.id, 'ResetCompleted');
    await stack.emulator.setFaults(null);
    expect(item).toMatchObject({ outcome: 'reset', attempts: 2 });
    expect(item.methodsRemoved).toHaveLength(6);
    expect(item.methodsRemaining.map((m) => m.type)).toEqual(['password']);
  });

  it('a 5xx after every delete defers; the next attempt fails before it lists: the row still names every delete', async () => {
    const user = await addUser('rows.refetch');
    // Revoking sessions (after the deletes) is answered 503 with a Retry-After beyond the budget: deferred.
    await stack.emulator.setFaults({
      seed: 23,
      rates: { '503': 1 },
      retryAfter: 3,
      methods: ['POST'],
      path: `${user.id}/revokeSignInSessions`,
    });
    const request = await enqueueStoredReset(stack, user.upn);
    const deferral = await firstDeferral(request.id);
    // The next attempt's first call, the user lookup, is refused: it never lists the methods.
    await stack.emulator.setFaults({ seed: 24, sequence: [403], methods: ['GET'], path: '/users/rows\\.refetch%40' });
    const firstDeletes = deletedIds(deferral.log, user.id);
    expect(firstDeletes).toHaveLength(6);
    expect(idsOf(deferral.row.methodsRemoved ?? [])).toEqual(firstDeletes);

    const item = await expectTrueEnd(request.id, user.id, 'ResetFailed');
    await stack.emulator.setFaults(null);
    expect(item).toMatchObject({ outcome: 'failed', error: { code: 'graph_permission_missing' }, attempts: 2 });
    expect(idsOf(item.methodsRemoved)).toEqual(firstDeletes);
  });
});
