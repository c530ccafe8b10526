import type { GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_MANAGED_IDENTITY_APP_ID, DEMO_USERS, EMAIL_METHOD_ID } from '../../dev/graph-emulator/index.js';
import type { FaultConfig } from '../../dev/graph-emulator/index.js';
import { createTestGraphClient, startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

describe('seeded fault injection', () => {
  let emu: TestEmulator;
  let token: string;
  const get = (path = `/v1.0/users/${DEMO_USERS.plain}/authentication/methods`): Promise<number> =>
    fetch(`${emu.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status;
      },
      () => 0, // dropped connection
    );
  const sequence = async (config: FaultConfig, n: number): Promise<number[]> => {
    await emu.setFaults(config);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(await get());
    return out;
  };

  beforeAll(async () => {
    emu = await startTestEmulator();
    token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
  });
  beforeEach(async () => {
    await emu.reset();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('gives the same sequence of statuses (including dropped connections) for the same seed', async () => {
    const config: FaultConfig = { seed: 42, rates: { '429': 0.15, '503': 0.1, '504': 0.1, reset: 0.1 } };
    const a = await sequence(config, 60);
    const b = await sequence(config, 60);
    expect(b).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 429, 503, 504, 0]));
    const c = await sequence({ ...config, seed: 43 }, 60);
    expect(c).not.toEqual(a);
    const log = await emu.requests({ status: 0 });
    expect(log.length).toBeGreaterThan(0);
    expect((await emu.control<{ injected: number }>('GET', 'faults')).body.injected).toBe(
      c.filter((s) => s !== 200).length,
    );
  });

  it('sends the documented headers and bodies on injected 429 and 503', async () => {
    await emu.setFaults({ seed: 1, sequence: [429, 503, 504], retryAfter: 2 });
    const r429 = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('2');
    expect(await r429.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    const r503 = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r503.status).toBe(503);
    expect(r503.headers.get('retry-after')).toBe('2');
    expect(await r503.json()).toMatchObject({ error: { code: 'serviceNotAvailable' } });
    expect(await get()).toBe(504);
    expect(await get()).toBe(200);
    await emu.setFaults({ seed: 1, sequence: [429], retryAfter: 'http-date' });
    const dated = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(Number.isNaN(Date.parse(dated.headers.get('retry-after') ?? ''))).toBe(false);
    await emu.setFaults({ seed: 1, sequence: [429], retryAfter: 'none' });
    const bare = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
  });

  it('can fault only DELETEs on a path pattern', async () => {
    await emu.setFaults({ seed: 7, rates: { '503': 1 }, methods: ['DELETE'], path: '/emailMethods/' });
    expect(await get()).toBe(200);
    const del = (path: string): Promise<number> =>
      fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}/authentication/${path}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.status);
    expect(await del(`emailMethods/${EMAIL_METHOD_ID}`)).toBe(503);
    expect(await del('fido2Methods/unknown')).toBe(404);
    expect((await emu.user(DEMO_USERS.plain)).methods.some((m) => m.id === EMAIL_METHOD_ID)).toBe(true);
  });

  it('adds seeded latency', async () => {
    await emu.setFaults({ seed: 3, latencyMs: { min: 150, max: 200 } });
    const t = Date.now();
    expect(await get()).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
  });

  it('lets the real Graph client RetryHandler retry 429s using Retry-After, up to 3 retries', async () => {
    const client = createTestGraphClient(emu);
    await emu.setFaults({ seed: 5, sequence: [429, 429, 'ok'], retryAfter: 0.05 });
    await client.api(`/users/${DEMO_USERS.plain}/authentication/methods`).get();
    const log = await emu.requests({ path: '/authentication/methods' });
    expect(log.map((r) => r.status)).toEqual([429, 429, 200]);
    await emu.clearRequests();
    await emu.setFaults({ seed: 5, sequence: [429, 429, 429, 429, 'ok'], retryAfter: 0.05 });
    let error: GraphError | undefined;
    try {
      await client.api(`/users/${DEMO_USERS.plain}/authentication/methods`).get();
    } catch (err) {
      error = err as GraphError;
    }
    expect(error?.statusCode).toBe(429);
    expect((await emu.requests({ path: '/authentication/methods' })).map((r) => r.status)).toEqual([
      429, 429, 429, 429,
    ]);
  });

  it('rejects bad fault settings with a 400 naming every problem', async () => {
    const bad = await emu.control<{ problems: string[] }>('PUT', 'faults', {
      seed: 'x',
      rates: { '429': 0.8, '503': 0.5 },
      path: '(',
      methods: ['FETCH'],
      colour: 'red',
    });
    expect(bad.status).toBe(400);
    const text = bad.body.problems.join('\n');
    for (const word of ['seed', 'rates', 'path', 'methods', 'colour']) expect(text).toContain(word);
  });
});
