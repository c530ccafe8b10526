// A request stored straight through the store port, as the intake would store it (default options, one ticket):
// for tests of the worker side that do not go through HTTP.
import { randomUUID } from 'node:crypto';
import { defaultResetOptions, type Requester } from '../../src/lib/domain/index.js';
import type { StateStore } from '../../src/lib/store/index.js';

export const testRequester: Requester = { tenantId: 't1', appId: 'app-a', objectId: 'sp-a', identityType: 'app' };

/** Stores a request for `users` users (`user0@contoso.com`, …) and returns its id. */
export async function storeTestRequest(store: StateStore, users: number): Promise<string> {
  const result = await store.createRequest({
    requester: testRequester,
    ticket: 'INC0012345',
    reason: 'lost_device',
    options: defaultResetOptions,
    source: 'json',
    items: Array.from({ length: users }, (_, i) => ({
      userKey: `user${i}@contoso.com`,
      ticket: 'INC0012345',
      reason: 'lost_device' as const,
    })),
    idempotencyKey: randomUUID(),
    fingerprint: 'fp',
  });
  if (result.kind !== 'created') throw new Error(`expected a new request, got ${result.kind}`);
  return result.request.id;
}
