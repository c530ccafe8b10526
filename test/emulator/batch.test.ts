import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_USERS,
  EMAIL_METHOD_ID,
  PHONE_IDS,
} from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

interface BatchResponse {
  responses: {
    id: string;
    status: number;
    headers: Record<string, string>;
    body?: { error?: { code: string }; [k: string]: unknown };
  }[];
}

describe('JSON $batch', () => {
  let emu: TestEmulator;
  let token: string;
  const post = async (
    body: unknown,
    version = 'v1.0',
  ): Promise<{ status: number; json: BatchResponse & { error?: { code: string; message: string } } }> => {
    const res = await fetch(`${emu.url}/${version}/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json()) as BatchResponse & { error?: { code: string; message: string } },
    };
  };
  const byId = (r: BatchResponse, id: string): BatchResponse['responses'][number] =>
    r.responses.find((x) => x.id === id)!;
  const auth = `/users/${DEMO_USERS.plain}/authentication`;

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

  it('runs up to 20 requests and answers each with its own status, headers and body', async () => {
    const { status, json } = await post({
      requests: [
        { id: '1', method: 'GET', url: `${auth}/methods` },
        { id: '2', method: 'DELETE', url: `${auth}/emailMethods/${EMAIL_METHOD_ID}` },
        { id: '3', method: 'GET', url: `/users/nobody@contoso.example` },
        {
          id: '4',
          method: 'POST',
          url: `/users/${DEMO_USERS.plain}/revokeSignInSessions`,
          headers: { 'content-type': 'application/json' },
          body: {},
        },
      ],
    });
    expect(status).toBe(200);
    expect(json.responses.map((r) => [r.id, r.status])).toEqual([
      ['1', 200],
      ['2', 204],
      ['3', 404],
      ['4', 200],
    ]);
    expect(byId(json, '1').body?.value).toBeInstanceOf(Array);
    expect(byId(json, '2').body).toBeUndefined();
    expect(byId(json, '3').body?.error?.code).toBe('Request_ResourceNotFound');
    expect(byId(json, '4').body?.value).toBe(true);
    const log = await emu.requests({ method: 'DELETE' });
    expect(log).toEqual([expect.objectContaining({ status: 204, batch: true, app: DEMO_MANAGED_IDENTITY_APP_ID })]);
  });

  it('orders by dependsOn and answers 424 when a dependency failed', async () => {
    const { json } = await post({
      requests: [
        { id: 'c', method: 'GET', url: `${auth}/methods`, dependsOn: ['b'] },
        { id: 'b', method: 'DELETE', url: `${auth}/emailMethods/${EMAIL_METHOD_ID}`, dependsOn: ['a'] },
        { id: 'a', method: 'DELETE', url: `${auth}/fido2Methods/not-there` },
        { id: 'd', method: 'DELETE', url: `${auth}/emailMethods/${EMAIL_METHOD_ID}` },
      ],
    });
    expect(json.responses.map((r) => [r.id, r.status])).toEqual([
      ['c', 424],
      ['b', 424],
      ['a', 404],
      ['d', 204],
    ]);
    expect(byId(json, 'b').body?.error?.code).toBe('FailedDependency');
    const ok = await post({
      requests: [
        { id: '2', method: 'GET', url: `${auth}/phoneMethods`, dependsOn: ['1'] },
        { id: '1', method: 'DELETE', url: `${auth}/phoneMethods/${PHONE_IDS.mobile}` },
      ],
    });
    expect(ok.json.responses.map((r) => r.status)).toEqual([200, 204]);
    expect(byId(ok.json, '2').body?.value).toEqual([]);
  });

  it('rejects more than 20 requests, malformed payloads, unknown and cyclic dependencies', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: `/users/${DEMO_USERS.plain}`,
    }));
    const tooMany = await post({ requests: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error?.message).toMatch(/20/);
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ requests: [{ id: '1', method: 'GET' }] })).status).toBe(400);
    expect((await post({ requests: [{ id: '1', method: 'GET', url: '//[' }] })).status).toBe(400);
    expect(
      (await post({ requests: [{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/me' }] })).status,
    ).toBe(400);
    expect((await post({ requests: [{ id: '1', method: 'GET', url: '/users/x', dependsOn: ['9'] }] })).status).toBe(
      400,
    );
    const cycle = await post({
      requests: [
        { id: '1', method: 'GET', url: `/users/${DEMO_USERS.plain}`, dependsOn: ['2'] },
        { id: '2', method: 'GET', url: `/users/${DEMO_USERS.plain}`, dependsOn: ['1'] },
      ],
    });
    expect(cycle.status).toBe(400);
    const unauth = await fetch(`${emu.url}/v1.0/$batch`, {
      method: 'POST',
      body: JSON.stringify({ requests: many.slice(0, 1) }),
    });
    expect(unauth.status).toBe(401);
  });
});
