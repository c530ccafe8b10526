// The engine's result is true on every path that ends a run early: what it removed is what Graph's DELETEs removed
// (the emulator's request log is the truth), and what remains is what the emulator still has; a request to wait
// carries the same record, a later attempt counts an earlier one's, and the caller is told after each batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticator,
  email,
  fido2,
  phone,
  softwareOath,
  windowsHello,
} from '../../dev/graph-emulator/fixtures/method-factory.js';
import { EMAIL_METHOD_ID, PASSWORD_METHOD_ID } from '../../dev/graph-emulator/state/method-types.js';
import type { FixtureMethod } from '../../dev/graph-emulator/index.js';
import { RetryLaterError, type RemovalProgress } from '../../src/lib/domain/index.js';
import type { MethodRef } from '../../src/lib/domain/index.js';
import type { TestEmulator } from '../support/emulator.js';
import { startTestEmulator } from '../support/emulator.js';
import { currentIds, deletedIds, idsOf } from '../support/graph-truth.js';
import type { EngineUnderTest } from './support/engine-harness.js';
import { engineFor, opts } from './support/engine-harness.js';
import { engineTenant, upn, user, userId } from './support/engine-tenant.js';

/** Five methods deleted in one batch, then the Authenticator (the default) in the next; the password stays. */
function methods(name: string): FixtureMethod[] {
  const id = userId(name);
  return [
    phone('mobile', 4),
    email(`${name}@mail.example`),
    fido2(id, 'deviceBound'),
    softwareOath(id),
    windowsHello(id, 'LAPTOP-2'),
    authenticator(id, 'Pixel 9'),
  ];
}

const names = ['stage-403', 'revoke-503', 'revoke-reset', 'throttled', 'resolve-fails', 'progress', 'save-fails'];

let emu: TestEmulator;
let sut: EngineUnderTest;

beforeAll(async () => {
  emu = await startTestEmulator(
    engineTenant(names.map((name) => user(name, methods(name), { preferredMethod: 'push' }))),
  );
  sut = engineFor(emu);
});
afterAll(async () => {
  await emu?.stop();
});

/** What the emulator says the run did to the user: DELETEs answered 204, and the methods left. */
async function truth(name: string): Promise<{ deleted: string[]; left: string[] }> {
  return { deleted: deletedIds(await emu.requests(), userId(name)), left: await currentIds(emu, userId(name)) };
}

describe('the result of a run that ends early', () => {
  it('a refusal in the middle of a batch of deletes: the deletes Graph answered are removed, the rest remain', async () => {
    // The third DELETE is refused as if a permission were missing; the others of its stage still go through.
    await emu.setFaults({ seed: 1, sequence: ['ok', 'ok', 403], methods: ['DELETE'], path: userId('stage-403') });
    const result = await sut.engine.reset(upn('stage-403'), opts());
    await emu.setFaults(null);

    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('graph_permission_missing');
    const { deleted, left } = await truth('stage-403');
    expect(deleted).toHaveLength(4);
    expect(idsOf(result.methodsRemoved)).toEqual(deleted);
    expect(idsOf(result.methodsRemaining)).toEqual(left);
    // The default (Authenticator) was never reached: it stays, and is said to.
    expect(result.methodsRemaining.map((m) => m.type)).toContain('microsoftAuthenticator');
  });

  it.each([
    ['revoke-503', 503],
    ['revoke-reset', 'reset'],
  ] as const)(
    '%s: Graph keeps failing past the retries after every delete: the request to wait names every delete',
    async (name, fault) => {
      // Revoking sessions (after the deletes) fails on every try; it is idempotent, so it is retried, then deferred.
      await emu.setFaults({
        seed: 2,
        rates: { [fault]: 1 },
        retryAfter: 'none',
        methods: ['POST'],
        path: `${userId(name)}/revoke`,
      });
      const outcome = await sut.engine.reset(upn(name), opts()).catch((e: unknown) => e);
      await emu.setFaults(null);

      expect(outcome).toBeInstanceOf(RetryLaterError);
      const progress = (outcome as RetryLaterError).progress;
      const { deleted, left } = await truth(name);
      expect(deleted).toHaveLength(6);
      expect(idsOf(progress?.methodsRemoved ?? [])).toEqual(deleted);
      expect(idsOf(progress?.methodsRemaining ?? [])).toEqual(left);
      expect(progress?.methodsRemaining.map((m) => m.type)).toEqual(['password']);
    },
  );

  it('a request to wait carries what the attempt removed; the next attempt counts it and completes', async () => {
    // Its own Graph port: the 429 closes the port's write gate for the Retry-After.
    const own = engineFor(emu, { maxWaitMs: 1_000 });
    await emu.setFaults({
      seed: 3,
      sequence: ['ok', 'ok', 429],
      retryAfter: 2,
      methods: ['DELETE'],
      path: userId('throttled'),
    });
    let snapshot: MethodRef[] | undefined;
    const first = await own.engine
      .reset(upn('throttled'), opts(), {
        onPlanned: (planned) => {
          snapshot = [...planned];
          return Promise.resolve();
        },
      })
      .catch((e: unknown) => e);
    await emu.setFaults(null);
    expect(first).toBeInstanceOf(RetryLaterError);
    const progress = (first as RetryLaterError).progress;
    const afterFirst = await truth('throttled');
    expect(afterFirst.deleted.length).toBeGreaterThanOrEqual(2);
    expect(idsOf(progress?.methodsRemoved ?? [])).toEqual(afterFirst.deleted);
    expect(idsOf(progress?.methodsRemaining ?? [])).toEqual(afterFirst.left);

    // The queue would bring the item back after the wait; the snapshot and the record go with it.
    await new Promise((resolve) => setTimeout(resolve, (first as RetryLaterError).retryAfterMs));
    const second = await own.engine.reset(upn('throttled'), opts(), {
      ...(snapshot ? { snapshot } : {}),
      ...(progress ? { earlier: progress } : {}),
    });
    expect(second.outcome).toBe('reset');
    const { deleted, left } = await truth('throttled');
    expect(deleted).toHaveLength(6);
    expect(idsOf(second.methodsRemoved)).toEqual(deleted);
    expect(idsOf(second.methodsRemaining)).toEqual(left);
  });

  it('a later attempt that fails before it lists still names what earlier attempts removed', async () => {
    // As an earlier attempt would have recorded it (the emulator still has the e-mail method: only the record counts).
    const earlier: RemovalProgress = {
      methodsRemoved: [{ type: 'email', id: EMAIL_METHOD_ID }],
      methodsRemaining: [{ type: 'password', id: PASSWORD_METHOD_ID }],
    };
    // The user lookup (the run's first call) is refused.
    await emu.setFaults({ seed: 4, sequence: [403], methods: ['GET'], path: '/users/resolve-fails[^/]*$' });
    const result = await sut.engine.reset(upn('resolve-fails'), opts(), { snapshot: [], earlier });
    await emu.setFaults(null);
    expect(result.outcome).toBe('failed');
    expect(result.methodsRemoved).toEqual(earlier.methodsRemoved);
    expect(result.methodsRemaining).toEqual(earlier.methodsRemaining);
    expect(deletedIds(await emu.requests(), userId('resolve-fails'))).toEqual([]);
  });
});

describe('progress reported as the run goes', () => {
  it('tells the caller after each batch of deletes, cumulatively, ending with what the result says', async () => {
    const seen: RemovalProgress[] = [];
    const result = await sut.engine.reset(upn('progress'), opts(), {
      onProgress: (p) => {
        seen.push(p);
        return Promise.resolve();
      },
    });
    expect(result.outcome).toBe('reset');
    // Two batches: five methods at once, then the default; the second record includes the first.
    expect(seen.map((p) => p.methodsRemoved.length)).toEqual([5, 6]);
    expect(idsOf(seen[1].methodsRemoved)).toEqual(expect.arrayContaining(idsOf(seen[0].methodsRemoved)));
    expect(seen[0].methodsRemaining.map((m) => m.type).sort()).toEqual(['microsoftAuthenticator', 'password']);
    expect(idsOf(seen[1].methodsRemoved)).toEqual(idsOf(result.methodsRemoved));
    expect(idsOf(result.methodsRemoved)).toEqual(deletedIds(await emu.requests(), userId('progress')));
  });

  it('a failure to save the progress ends the run with that failure, before the next batch', async () => {
    const lost = new Error('lease lost');
    const told: RemovalProgress[] = [];
    const outcome = await sut.engine
      .reset(upn('save-fails'), opts(), {
        onProgress: (p) => {
          told.push(p);
          return Promise.reject(lost);
        },
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(lost);
    // The first batch went, as the caller was told; the default, in the next, was not touched.
    const { deleted, left } = await truth('save-fails');
    expect(told).toHaveLength(1);
    expect(idsOf(told[0].methodsRemoved)).toEqual(deleted);
    expect(deleted).toHaveLength(5);
    expect(left).toHaveLength(2);
  });
});
