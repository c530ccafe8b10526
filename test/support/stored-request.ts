// A request stored straight through the store port, as the intake would store it (default options, one ticket):
// for tests of the worker side that do not go through HTTP.
import { randomUUID } from 'node:crypto';
import { defaultResetOptions, type Requester, type ResetOptions } from '../../src/lib/domain/index.js';
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

/**
 * Stores a one-user request for `user` on a fresh ticket, as the intake would (with its options, and waiting for
 * approval when `approval` is given), and returns its id. Nothing is queued.
 */
export async function storeOneUserRequest(
  store: StateStore,
  user: string,
  stored: {
    readonly requester?: Requester;
    readonly options?: ResetOptions;
    readonly approval?: { readonly windowMs: number };
  } = {},
): Promise<string> {
  const ticket = `INC${randomUUID().replace(/\D/g, '').slice(0, 7).padEnd(7, '0')}`;
  const created = await store.createRequest({
    requester: stored.requester ?? testRequester,
    ticket,
    reason: 'lost_device',
    options: stored.options ?? defaultResetOptions,
    source: 'json',
    items: [{ userKey: user, ticket, reason: 'lost_device' }],
    idempotencyKey: `test:${ticket}`,
    fingerprint: ticket,
    ...(stored.approval ? { approval: stored.approval } : {}),
  });
  if (created.kind !== 'created') throw new Error(`expected a new request, got ${created.kind}`);
  return created.request.id;
}
