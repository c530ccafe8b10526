// scripts/postprovision.ts against a local stand-in for the Azure REST endpoints it calls (Key Vault "Get/Set Secret"
// and "Get Key", Resource Manager "Get/Lock Immutability Policy" and "List/Update Application Settings"): there is no
// emulator for either, so a small HTTP server keeps the state and records every request. The token is a fixed one; sign-in is not what is under test.
import type { AccessToken, TokenCredential } from '@azure/identity';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postprovision } from '../../scripts/postprovision.js';
import type { PostprovisionDeps } from '../../scripts/postprovision.js';
import { tapSchema } from '../../src/lib/config/schema.js';
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

const settingsPath =
  '/subscriptions/sub-1/resourceGroups/rg-test/providers/Microsoft.Web/sites/func-worker-x/config/appsettings';
// The vault's TAP key: Get Key answers its public half as a JWK, as Key Vault does.
const tapKey = generateKeyPairSync('rsa', { modulusLength: 3072 });
const tapJwk = tapKey.publicKey.export({ format: 'jwk' });
const workerSettingsAtStart = { MFA_RESET_FUNCTIONS: 'worker', ITEM_SEAL_KEY: '@Microsoft.KeyVault(VaultName=kv-x)' };

let server: Server;
let base: string;
const state = {
  secret: undefined as string | undefined,
  secretDeleted: false,
  policyState: 'Unlocked',
  etag: '"e1"',
  keyReadable: true,
  workerSettings: { ...workerSettingsAtStart } as Record<string, string>,
};
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
      if (url.pathname === '/keys/tap-key' && req.method === 'GET')
        return state.keyReadable
          ? json(200, {
              key: { ...tapJwk, kid: `${base}keys/tap-key/v1`, key_ops: ['wrapKey', 'unwrapKey'] },
              attributes: { enabled: true },
            })
          : json(403, { error: { code: 'Forbidden' } });
      if (url.pathname === `${settingsPath}/list` && req.method === 'POST')
        return json(200, { name: 'appsettings', properties: state.workerSettings });
      if (url.pathname === settingsPath && req.method === 'PUT') {
        state.workerSettings = (JSON.parse(body) as { properties: Record<string, string> }).properties;
        return json(200, { name: 'appsettings', properties: state.workerSettings });
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
  Object.assign(state, {
    secret: undefined,
    secretDeleted: false,
    policyState: 'Unlocked',
    etag: '"e1"',
    keyReadable: true,
    workerSettings: { ...workerSettingsAtStart },
  });
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
// Requests that change something: not the reads (GET, and List Application Settings, a POST that only reads).
const writes = () => seen.filter((s) => s.method !== 'GET' && !s.path.endsWith('/config/appsettings/list'));

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

  describe('the TAP key', () => {
    const tapEnv = (overrides: Record<string, string> = {}) =>
      env({
        AUDIT_IMMUTABILITY_LOCKED: 'false',
        TAP_KEY_NAME: 'tap-key',
        WORKER_FUNCTION_APP_NAME: 'func-worker-x',
        ...overrides,
      });
    const appWrites = () => writes().filter((s) => s.path === settingsPath);

    it("sets the key's public half on the worker once, keeps its other settings, and records it for the next provision", async () => {
      const first = await run([], tapEnv());
      expect(first.code, first.err.join('\n')).toBe(0);
      expect(first.out).toContain(
        'TAP public key: set on func-worker-x (the public half of tap-key; the app restarts)',
      );
      expect(appWrites()).toHaveLength(1);
      const value = state.workerSettings.TAP_PUBLIC_KEY ?? '';
      expect(state.workerSettings).toEqual({ ...workerSettingsAtStart, TAP_PUBLIC_KEY: value });
      expect(azdValues.get('TAP_PUBLIC_KEY')).toBe(value);
      // One line (base64) holding a PEM, which the worker's configuration accepts as the vault key's public half.
      expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(value, 'base64').toString('utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      const parsed = tapSchema.parse({ TAP_PUBLIC_KEY: value }).TAP_PUBLIC_KEY;
      expect(parsed?.export({ type: 'spki', format: 'der' })).toEqual(
        tapKey.publicKey.export({ type: 'spki', format: 'der' }),
      );

      seen.length = 0;
      azdValues.clear();
      const second = await run([], tapEnv({ TAP_PUBLIC_KEY: value }));
      expect(second.code, second.err.join('\n')).toBe(0);
      expect(second.out).toContain('TAP public key: func-worker-x already has the public half of tap-key');
      expect(writes()).toEqual([]);
      expect(azdValues.size).toBe(0);
    });

    it('writes nothing in a dry run', async () => {
      const result = await run(['--dry-run'], tapEnv());
      expect(result.code, result.err.join('\n')).toBe(0);
      expect(result.out).toContain('TAP public key: would set the public half of tap-key on func-worker-x');
      expect(writes()).toEqual([]);
      expect(azdValues.size).toBe(0);
    });

    it('names the missing right when the vault refuses to read the key', async () => {
      state.keyReadable = false;
      const result = await run([], tapEnv());
      expect(result.code).toBe(1);
      expect(result.err.join('\n')).toMatch(/refused to read the key tap-key \(403 Forbidden\).*keys\/read/);
      expect(appWrites()).toEqual([]);
    });
  });
});
