// scripts/postprovision.ts against a local stand-in for the two Azure REST endpoints it calls (Key Vault "Get/Set
// Secret", Resource Manager "Get/Lock Immutability Policy"): there is no emulator for either, so a small HTTP server
// keeps the state and records every request. The token is a fixed one; sign-in is not what is under test.
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postprovision } from '../../scripts/postprovision.js';
import type { PostprovisionDeps } from '../../scripts/postprovision.js';
import { runScript } from './script-harness.js';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly ifMatch: string | undefined;
  readonly body: string;
}

const policyPath =
  '/subscriptions/sub-1/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/stauditx' +
  '/blobServices/default/containers/audit/immutabilityPolicies/default';

let server: Server;
let base: string;
const state = { secret: undefined as string | undefined, secretDeleted: false, policyState: 'Unlocked', etag: '"e1"' };
const seen: Seen[] = [];

const readBody = async (req: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req);
      seen.push({ method: req.method ?? '', path: url.pathname, ifMatch: req.headers['if-match'], body });
      const json = (status: number, value: unknown, etag?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(etag ? { etag } : {}) });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== 'Bearer test-token') return json(401, { error: { code: 'Unauthorized' } });
      if (url.pathname === '/secrets/item-seal-key' && req.method === 'GET')
        return state.secret === undefined
          ? json(404, { error: { code: 'SecretNotFound' } })
          : json(200, { value: state.secret });
      if (url.pathname === '/secrets/item-seal-key' && req.method === 'PUT') {
        if (state.secretDeleted) return json(409, { error: { code: 'Conflict' } });
        state.secret = (JSON.parse(body) as { value: string }).value;
        return json(200, { id: 'x' });
      }
      if (url.pathname === policyPath && req.method === 'GET')
        return json(200, { properties: { state: state.policyState } }, state.etag);
      if (url.pathname === `${policyPath}/lock` && req.method === 'POST') {
        if (req.headers['if-match'] !== state.etag) return json(412, { error: { code: 'ConditionNotMet' } });
        state.policyState = 'Locked';
        return json(200, { properties: { state: 'Locked' } });
      }
      return json(404, { error: { code: 'NoRoute' } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  Object.assign(state, { secret: undefined, secretDeleted: false, policyState: 'Unlocked', etag: '"e1"' });
  seen.length = 0;
  azdValues.clear();
});

const credential: TokenCredential = {
  getToken: () => Promise.resolve<AccessToken>({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const azdValues = new Map<string, string>();
const deps: PostprovisionDeps = {
  credential,
  setAzdValue: (name, value) => {
    azdValues.set(name, value);
    return Promise.resolve();
  },
  forbiddenRetryMs: 0,
};
const env = (overrides: Record<string, string> = {}) => ({
  KEY_VAULT_URI: base,
  ITEM_SEAL_KEY_SECRET_NAME: 'item-seal-key',
  AUDIT_IMMUTABILITY_LOCKED: 'true',
  AZURE_SUBSCRIPTION_ID: 'sub-1',
  AZURE_RESOURCE_GROUP: 'rg-test',
  AUDIT_STORAGE_ACCOUNT: 'stauditx',
  AUDIT_CONTAINER: 'audit',
  RESOURCE_MANAGER_URL: base,
  ...overrides,
});
const run = (args: string[], e: Record<string, string>) =>
  runScript((argv, en, io) => postprovision(argv, en, io, deps), args, e);
const writes = () => seen.filter((s) => s.method !== 'GET');

describe('scripts/postprovision', () => {
  it('creates a missing seal key once (32 random bytes, never printed) and never replaces it', async () => {
    const first = await run([], env({ AUDIT_IMMUTABILITY_LOCKED: 'false' }));
    expect(first.code, first.err.join('\n')).toBe(0);
    expect(first.out[0]).toMatch(/^seal key: item-seal-key created/);
    const key = state.secret ?? '';
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect([...first.out, ...first.err].join('\n')).not.toContain(key);

    seen.length = 0;
    const second = await run([], env({ AUDIT_IMMUTABILITY_LOCKED: 'false' }));
    expect(second.out[0]).toBe('seal key: item-seal-key exists; left as is');
    expect(writes()).toEqual([]);
    expect(state.secret).toBe(key);
  });

  it('locks the audit policy with its ETag, records AUDIT_POLICY_LOCKED, and leaves a locked policy alone', async () => {
    const first = await run([], env());
    expect(first.code, first.err.join('\n')).toBe(0);
    expect(first.out).toContain('audit retention policy: stauditx/audit locked (it can now only be extended)');
    expect(seen.filter((s) => s.path.endsWith('/lock'))).toEqual([
      expect.objectContaining({ method: 'POST', ifMatch: '"e1"' }),
    ]);
    expect(azdValues.get('AUDIT_POLICY_LOCKED')).toBe('true');

    seen.length = 0;
    const again = await run([], env({ AUDIT_POLICY_LOCKED: 'true' }));
    expect(again.out).toContain('audit retention policy: stauditx/audit already locked');
    expect(writes()).toEqual([]);
  });

  it('does not touch the policy when auditImmutabilityLocked is false', async () => {
    const result = await run([], env({ AUDIT_IMMUTABILITY_LOCKED: 'false' }));
    expect(result.out.at(-1)).toMatch(/left unlocked/);
    expect(seen.filter((s) => s.path.includes('immutabilityPolicies'))).toEqual([]);
    expect(state.policyState).toBe('Unlocked');
  });

  it('writes nothing in a dry run', async () => {
    const result = await run(['--dry-run'], env());
    expect(result.code, result.err.join('\n')).toBe(0);
    expect(result.out).toEqual([
      'seal key: would create item-seal-key',
      'audit retention policy: would lock stauditx/audit (irreversible)',
    ]);
    expect(writes()).toEqual([]);
    expect(azdValues.size).toBe(0);
  });

  it('refuses to create a new key over a deleted, recoverable one', async () => {
    state.secretDeleted = true;
    const result = await run([], env());
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/deleted but recoverable .*az keyvault secret recover/);
    expect(seen.filter((s) => s.path.includes('immutabilityPolicies'))).toEqual([]);
  });
});
