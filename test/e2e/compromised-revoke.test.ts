// `reason: compromised` always revokes sessions. The intake refuses `revokeSessions: false` with it (400); the worker
// holds the rule too, for a request stored otherwise. Its own file: one stack with Graph calls per process (the
// managed-identity credential caches its endpoint and tokens process-wide).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { enqueueStoredReset, finalItem, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ mode: 'worker' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('reason compromised', () => {
  it('revokes sessions even when the stored request says not to', async () => {
    const request = await enqueueStoredReset(stack, DEMO_USERS.defaultSms, {
      reason: 'compromised',
      options: { methods: 'all', keep: [], revokeSessions: false, dryRun: false },
    });
    const item = await finalItem(stack.app.store, request.id);
    expect(item.outcome, JSON.stringify(item.error)).toBe('reset');
    expect(item.sessionsRevoked).toBe(true);
    const user = await stack.emulator.user(DEMO_USERS.defaultSms);
    expect(await stack.emulator.requests({ path: `${user.id}/revokeSignInSessions` })).toHaveLength(1);
  });
});
