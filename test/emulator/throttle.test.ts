import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_MANAGED_IDENTITY_APP_ID, DEMO_TENANT_ID, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { Throttle, requestCost } from '../../dev/graph-emulator/throttle.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

interface Inner {
  id: string;
  status: number;
  headers: Record<string, string>;
}

describe('throttling, profile "documented"', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  const batch = async (token: string, requests: { method: string; url: string }[]): Promise<Inner[]> => {
    const res = await fetch(`${emu.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requests: requests.map((r, i) => ({ id: String(i), ...r })) }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { responses: Inner[] }).responses;
  };
  const waitRetryAfter = (value: string | null): Promise<void> => {
    expect(value).toMatch(/^\d+(\.\d+)?$/);
    return new Promise((r) => setTimeout(r, Number(value) * 1000));
  };

  it('is off by default: no throttle headers', async () => {
    expect((await emu.control('GET', 'throttle')).body).toEqual({ profile: 'off', timeScale: 1 });
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
    const res = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ms-resource-unit')).toBeNull();
  });

  it('allows 3,000 writes per app and tenant per (scaled) 150 s window; the next gets 429 and waiting its Retry-After succeeds', async () => {
    // timeScale 0.04: the 150 s window lasts 6 s, room for 3,000 writes on a busy machine.
    await emu.setThrottle({ profile: 'documented', timeScale: 0.04 });
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
    const revoke = { method: 'POST', url: `/users/${DEMO_USERS.plain}/revokeSignInSessions` };
    const statuses: number[] = [];
    const started = Date.now();
    // 150 batches of 20 writes, 6 at a time.
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = 0; i < 25; i++)
          statuses.push(
            ...(
              await batch(
                token,
                Array.from({ length: 20 }, () => revoke),
              )
            ).map((r) => r.status),
          );
      }),
    );
    expect(Date.now() - started, 'the burst must fit in the scaled window').toBeLessThan(6000);
    expect(statuses).toHaveLength(3000);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}/revokeSignInSessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: { code: '429', status: '429', message: 'Please retry after' },
      },
    });
    expect(over.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(over.headers.get('x-ms-throttle-scope')).toBe(
      `Tenant_Application/ReadWrite/${DEMO_MANAGED_IDENTITY_APP_ID}/${DEMO_TENANT_ID}`,
    );
    const retryAfter = over.headers.get('retry-after');
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(6);
    // Reads are not writes: they still pass while writes are refused.
    const read = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}?$select=id`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
    // Another app has its own write budget.
    const other = await emu.mintToken({ appId: DEMO_APPS.graphWorker.appId, roles: ['User.RevokeSessions.All'] });
    const otherRes = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}/revokeSignInSessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}` },
    });
    expect(otherRes.status).toBe(200);
    await waitRetryAfter(retryAfter);
    const after = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}/revokeSignInSessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(200);
  });

  it('charges resource units (GET user 2, $select -1) and refuses with ResourceUnitLimitExceeded when the bucket is empty', async () => {
    await emu.setThrottle({ profile: 'documented', timeScale: 1 });
    const token = await emu.mintToken({ appId: DEMO_APPS.graphWorker.appId, roles: ['User.Read.All'] });
    const get = (path: string): Promise<Response> =>
      fetch(`${emu.url}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    const full = await get(`/users/${DEMO_USERS.plain}`);
    expect(full.headers.get('x-ms-resource-unit')).toBe('2');
    const selected = await get(`/users/${DEMO_USERS.plain}?$select=id`);
    expect(selected.headers.get('x-ms-resource-unit')).toBe('1');
    // Demo tenant (~300 users) is size M: 5,000 RU per 10 s. Spend it in batches of 20 GETs costing 2 each.
    const getUser = { method: 'GET', url: `/users/${DEMO_USERS.plain}` };
    let refused: Inner | undefined;
    let sawPercentage = false;
    for (let i = 0; i < 200 && !refused; i++) {
      const rs = await batch(
        token,
        Array.from({ length: 20 }, () => getUser),
      );
      sawPercentage ||= rs.some((r) => r.headers['x-ms-throttle-limit-percentage'] !== undefined);
      refused = rs.find((r) => r.status === 429);
    }
    expect(refused).toBeDefined();
    expect(sawPercentage).toBe(true);
    expect(refused!.headers['x-ms-throttle-information']).toBe('ResourceUnitLimitExceeded');
    expect(refused!.headers['retry-after']).toBe('1'); // whole seconds at real speed
    await waitRetryAfter(refused!.headers['retry-after']);
    expect((await get(`/users/${DEMO_USERS.plain}`)).status).toBe(200);
    await emu.setThrottle({ profile: 'off' });
  });

  it('profile "strict" also limits /authentication/* to 5 requests per 10 s per app (knob)', async () => {
    await emu.setThrottle({ profile: 'strict', timeScale: 0.1 }); // 1 s window
    const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
    const get = (path: string): Promise<Response> =>
      fetch(`${emu.url}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    const methods = `/users/${DEMO_USERS.plain}/authentication/methods`;
    for (let i = 0; i < 5; i++) expect((await get(methods)).status).toBe(200);
    const refused = await get(methods);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ms-throttle-information')).toBe('RequestLimitExceeded');
    expect((await get(`/users/${DEMO_USERS.plain}?$select=id`)).status).toBe(200);
    await waitRetryAfter(refused.headers.get('retry-after'));
    expect((await get(methods)).status).toBe(200);
    await emu.setThrottle({ profile: 'off' });
  });

  it('rejects bad throttle settings with a 400 naming the problem', async () => {
    const bad = await emu.control<{ problems: string[] }>('PUT', 'throttle', { profile: 'brutal', timeScale: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.join(' ')).toMatch(/profile/);
    expect(bad.body.problems.join(' ')).toMatch(/timeScale/);
  });
});

describe('throttle arithmetic (unit)', () => {
  it('computes the documented costs', () => {
    const q = (s: string): URLSearchParams => new URLSearchParams(s);
    expect(requestCost('GET', ['users', 'x'], q(''))).toBe(2);
    expect(requestCost('GET', ['users', 'x'], q('$select=id'))).toBe(1);
    expect(requestCost('GET', ['users', 'x', 'transitiveMemberOf'], q('$expand=x'))).toBe(3);
    expect(requestCost('GET', ['users', 'x', 'authentication', 'methods'], q(''))).toBe(1);
    expect(requestCost('GET', ['users', 'x', 'transitiveMemberOf'], q('$top=10'))).toBe(1);
    expect(requestCost('DELETE', ['users', 'x', 'authentication', 'phoneMethods', 'y'], q(''))).toBe(1);
  });

  it('limits writes per tenant at 18,000 per 5 minutes across apps', () => {
    const t = new Throttle();
    t.configure({ profile: 'documented', timeScale: 1 });
    const now = 1_000_000;
    let ok = 0;
    for (let app = 0; app < 7; app++) {
      for (let i = 0; i < 3000; i++) if (t.check(`app${app}`, 'tenant', 'L', true, 1, now + app).ok) ok++;
    }
    expect(ok).toBe(18_000);
    const refused = t.check('app9', 'tenant', 'L', true, 1, now + 10);
    expect(refused.ok).toBe(false);
    expect(refused.headers['x-ms-throttle-scope']).toBe('Tenant/ReadWrite/tenant');
    expect(refused.headers['retry-after']).toBe(String(Math.ceil((300_000 - 10) / 1000)));
    expect(t.check('app9', 'tenant', 'L', true, 1, now + 300_000).ok).toBe(true);
  });

  it('refills resource units continuously (token bucket) and scales windows with timeScale', () => {
    const t = new Throttle();
    t.configure({ profile: 'documented', timeScale: 0.5 });
    const now = 0;
    for (let i = 0; i < 3500; i++) expect(t.check('a', 't', 'S', false, 1, now).ok).toBe(true);
    const refused = t.check('a', 't', 'S', false, 1, now);
    expect(refused.ok).toBe(false);
    // 3,500 RU per 5 s (scaled): one RU takes 5000/3500 ms.
    if (!refused.ok) expect(refused.retryAfterMs).toBeCloseTo(5000 / 3500, 5);
    expect(t.check('a', 't', 'S', false, 1, now + 2).ok).toBe(true);
  });
});
