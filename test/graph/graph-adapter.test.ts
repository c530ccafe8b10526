import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphCredential, createGraphPort } from '../../src/lib/graph/index.js';
import type { GraphPortWithStats } from '../../src/lib/graph/index.js';
import { GraphCallError, RetryLaterError } from '../../src/lib/domain/index.js';
import type { TestEmulator } from '../support/emulator.js';
import { graphEnvFor, startTestEmulator } from '../support/emulator.js';
import {
  appCredential,
  engineTenant,
  everyMethod,
  readerApp,
  upn,
  user,
  userId,
} from '../engine/support/engine-tenant.js';

let emu: TestEmulator;
let graph: GraphPortWithStats;

beforeAll(async () => {
  emu = await startTestEmulator(engineTenant([user('ada', everyMethod('ada')), user('bob', [])]));
  graphEnvFor(emu);
  graph = createGraphPort({
    baseUrl: emu.env.GRAPH_BASE_URL,
    credential: createGraphCredential(),
    maxConcurrency: 8,
    maxWaitMs: 5_000,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
});
afterAll(async () => {
  await emu?.stop();
});

describe('Graph adapter against the emulator', () => {
  it('sends the managed identity token to the emulator host and resolves users by UPN or id', async () => {
    const ids: string[] = [];
    const found = await graph.getUser(upn('ada'), { onRequestId: (id) => ids.push(id) });
    expect(found).toMatchObject({ id: userId('ada'), userPrincipalName: upn('ada'), accountEnabled: true });
    expect(await graph.getUser(userId('ada'))).toMatchObject({ id: userId('ada') });
    expect(await graph.getUser('nobody@engine.example')).toBeNull();
    expect(ids).toHaveLength(1);
    const log = await emu.requests({ path: '/users/' });
    expect(log.find((r) => r.requestId === ids[0])).toMatchObject({ status: 200, method: 'GET' });
  });

  it('lists methods whole or not at all: a page without value or a nextLink elsewhere fails the call', async () => {
    const fault = (outcome: 'noValue' | 'foreignNextLink' | 'otherVersionNextLink') =>
      emu.setFaults({ seed: 1, path: '/authentication/methods', methods: ['GET'], sequence: [outcome] });
    try {
      for (const [outcome, what] of [
        ['noValue', /a page without a value array/],
        ['foreignNextLink', /a nextLink to another host or API version/],
        ['otherVersionNextLink', /a nextLink to another host or API version/],
      ] as const) {
        await fault(outcome);
        const failure = await graph.listMethods(userId('ada')).catch((e: unknown) => e);
        expect(failure, outcome).toBeInstanceOf(GraphCallError);
        expect(failure).toMatchObject({ kind: 'unreadable', message: expect.stringMatching(what) as string });
      }
    } finally {
      await emu.setFaults(null);
    }
    expect((await graph.listMethods(userId('ada'))).length).toBeGreaterThan(3);
  });

  it('lists methods as type and id only, with hardware tokens from beta', async () => {
    const methods = await graph.listMethods(userId('ada'));
    expect(methods.map((m) => m.type).sort()).toEqual(
      [
        'email',
        'externalAuthentication',
        'fido2',
        'fido2',
        'microsoftAuthenticator',
        'password',
        'phone',
        'phone',
        'phone',
        'platformCredential',
        'qrCodePin',
        'softwareOath',
        'temporaryAccessPass',
        'windowsHelloForBusiness',
      ].sort(),
    );
    expect(JSON.stringify(methods)).not.toMatch(/\+1 425|@mail\.example/);
    const hardware = await graph.listHardwareOathMethods(userId('ada'));
    expect(hardware).toHaveLength(1);
    expect(hardware[0].type).toBe('hardwareOath');
  });

  it('reads and changes the default method through beta signInPreferences', async () => {
    await graph.setPreferredMethod(userId('ada'), 'push');
    expect((await graph.getSignInPreferences(userId('ada'))).userPreferredMethodForSecondaryAuthentication).toBe(
      'push',
    );
  });

  it('treats a 404 on delete as already gone', async () => {
    const qr = (await graph.listMethods(userId('ada'))).find((m) => m.type === 'qrCodePin')!;
    expect(await graph.deleteMethod(userId('ada'), { type: 'qrCodePin', id: qr.id })).toBe('deleted');
    expect(await graph.deleteMethod(userId('ada'), { type: 'qrCodePin', id: qr.id })).toBe('not_found');
  });

  it('names the missing permission on a 403', async () => {
    const reader = createGraphPort({
      baseUrl: emu.env.GRAPH_BASE_URL,
      credential: appCredential(emu, readerApp),
      maxConcurrency: 2,
      maxWaitMs: 1_000,
    });
    const error = await reader.revokeSignInSessions(userId('bob')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphCallError);
    expect((error as GraphCallError).kind).toBe('forbidden');
    expect((error as GraphCallError).permissions).toEqual(['User.RevokeSessions.All']);
    expect((error as GraphCallError).message).toBe(
      "Microsoft Graph refused POST /users/{id}/revokeSignInSessions: the worker's identity lacks User.RevokeSessions.All",
    );
  });

  it('honours Retry-After and records every attempt; defers a wait longer than the budget', async () => {
    await emu.clearRequests();
    await emu.setFaults({ seed: 1, path: '/revokeSignInSessions', sequence: [429, 429, 'ok'], retryAfter: 1 });
    const ids: string[] = [];
    await graph.revokeSignInSessions(userId('bob'), { onRequestId: (id) => ids.push(id) });
    const log = await emu.requests({ path: '/revokeSignInSessions' });
    expect(log.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(ids).toHaveLength(3);
    for (let i = 1; i < log.length; i++) {
      expect(Date.parse(log[i].time) - Date.parse(log[i - 1].time)).toBeGreaterThanOrEqual(1_000 - 20);
    }

    await emu.clearRequests();
    await emu.setFaults({ seed: 9, path: '/revokeSignInSessions', sequence: [503, 'ok'], retryAfter: 'http-date' });
    await graph.revokeSignInSessions(userId('bob'));
    const dated = await emu.requests({ path: '/revokeSignInSessions' });
    expect(dated.map((r) => r.status)).toEqual([503, 200]);
    // The date is one second ahead at one-second resolution: the retry waits until that second has come.
    expect(Date.parse(dated[1].time)).toBeGreaterThanOrEqual(
      Math.floor(Date.parse(dated[0].time) / 1000) * 1000 + 1000 - 20,
    );

    await emu.setFaults({ seed: 2, path: '/revokeSignInSessions', sequence: [429], retryAfter: 60 });
    const deferred = await graph.revokeSignInSessions(userId('bob')).catch((e: unknown) => e);
    expect(deferred).toBeInstanceOf(RetryLaterError);
    expect((deferred as RetryLaterError).retryAfterMs).toBeGreaterThanOrEqual(60_000);
    await emu.setFaults(null);
  });

  it('never repeats a non-idempotent POST after a 503 or a dropped connection, but does after a 429', async () => {
    await emu.clearRequests();
    const tap = {
      method: 'POST' as const,
      version: 'v1.0' as const,
      path: `/users/${userId('bob')}/authentication/temporaryAccessPassMethods`,
      body: { lifetimeInMinutes: 60 },
      operation: 'POST /users/{id}/authentication/temporaryAccessPassMethods',
      permissions: ['UserAuthenticationMethod.ReadWrite.All'],
    };
    await emu.setFaults({ seed: 3, path: '/temporaryAccessPassMethods', sequence: [503] });
    expect((await graph.send(tap)).status).toBe(503);
    await emu.setFaults({ seed: 4, path: '/temporaryAccessPassMethods', sequence: ['reset'] });
    await expect(graph.send(tap)).rejects.toThrow(/may have taken effect/);
    await emu.setFaults({ seed: 5, path: '/temporaryAccessPassMethods', sequence: [429, 'ok'], retryAfter: 0 });
    expect((await graph.send(tap)).status).toBe(201);
    await emu.setFaults(null);
    const posts = await emu.requests({ path: '/temporaryAccessPassMethods', method: 'POST' });
    expect(posts.map((r) => r.status)).toEqual([503, 0, 429, 201]);
  });

  it('retries idempotent calls through 503, 504 and dropped connections', async () => {
    await emu.clearRequests();
    await emu.setFaults({
      seed: 6,
      path: '/authentication/methods',
      sequence: [503, 504, 'reset', 'ok'],
      retryAfter: 'none',
    });
    const methods = await graph.listMethods(userId('bob'));
    expect(methods.map((m) => m.type)).toContain('password');
    await emu.setFaults(null);
    const log = await emu.requests({ path: '/authentication/methods' });
    expect(log.map((r) => r.status)).toEqual([503, 504, 0, 200]);
  });

  it('never has more calls in flight than the adaptive limit allows', async () => {
    const narrow = createGraphPort({
      baseUrl: emu.env.GRAPH_BASE_URL,
      credential: createGraphCredential(),
      maxConcurrency: 3,
      maxWaitMs: 5_000,
    });
    await narrow.getUser(userId('bob')); // token fetched before timing
    await emu.setFaults({ seed: 10, latencyMs: { min: 200, max: 200 }, path: '^/v1.0/users/' });
    await emu.clearRequests();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 12 }, () => narrow.getUser(userId('bob'))));
    const elapsed = performance.now() - t0;
    await emu.setFaults(null);
    // 12 calls of 200 ms, at most 3 at a time: at least 4 waves.
    expect(elapsed).toBeGreaterThanOrEqual(4 * 200 - 50);
    const arrivals = (await emu.requests({ path: '/users/' })).map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(12);
    for (let i = 3; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 3]).toBeGreaterThanOrEqual(150);
    expect(narrow.limiter.stats()).toMatchObject({ inFlight: 0, maxConcurrency: 3 });
  });
});
