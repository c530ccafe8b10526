import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/config/index.js';
import { newSealKey } from '../../dev/stack/seal-key.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const API = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const base = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AUTH_TENANT_ID: TENANT,
  AUTH_AUDIENCE: API,
  ITEM_SEAL_KEY: newSealKey(),
  MfaAudit: 'UseDevelopmentStorage=true',
};

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return Object.fromEntries((e as ConfigError).problems.map((p) => [p.key, p.message]));
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.functions).toBe('all');
    expect(c.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(c.auth).toEqual({
      tenantId: TENANT,
      audience: API,
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      jwksUri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
    });
    expect(c.graph).toEqual({
      baseUrl: 'https://graph.microsoft.com',
      maxConcurrency: 16,
      maxWaitSeconds: 30,
      protectedUsers: [],
      protectedGroupIds: [],
      maxUsersPerHour: 10_500,
      writeBudget: { shared: true, cacheMs: 1000, pacing: true },
    });
    expect(c.limits).toEqual({
      maxBulkRows: 50000,
      maxBodyBytes: 8388608,
      statusRetryAfterSeconds: 5,
      idempotencyWindowHours: 24,
    });
    expect(c.killSwitch).toBe(false);
    expect(c.telemetry).toEqual({});
  });

  it('names every bad key in one error', () => {
    const problems = problemsOf({
      MFA_RESET_FUNCTIONS: 'all',
      AUTH_TENANT_ID: 'contoso.onmicrosoft.com',
      GRAPH_MAX_CONCURRENCY: 'lots',
      MAX_BULK_ROWS: '0',
      KILL_SWITCH: 'maybe',
      PROTECTED_GROUP_IDS: 'not-a-guid',
      GRAPH_BASE_URL: 'http://graph.example',
      AUTH_JWKS_URI: 'nope',
    });
    expect(Object.keys(problems).sort()).toEqual(
      [
        'AUTH_AUDIENCE',
        'AUTH_JWKS_URI',
        'AUTH_TENANT_ID',
        'AzureWebJobsStorage',
        'GRAPH_BASE_URL',
        'ITEM_SEAL_KEY',
        'GRAPH_MAX_CONCURRENCY',
        'KILL_SWITCH',
        'MAX_BULK_ROWS',
        'MfaAudit',
        'PROTECTED_GROUP_IDS',
      ].sort(),
    );
    expect(problems.AUTH_AUDIENCE).toBe('is required');
    expect(problems.AUTH_TENANT_ID).toBe('must be a GUID');
    expect(problems.KILL_SWITCH).toBe('must be true, false, 1 or 0');
  });

  it('puts every problem in the message', () => {
    expect(() => loadConfig({ MFA_RESET_FUNCTIONS: 'both' })).toThrow(
      /MFA_RESET_FUNCTIONS must be one of all, intake, worker.*AzureWebJobsStorage is required/,
    );
  });

  it('intake mode needs no Graph settings and ignores bad ones', () => {
    const c = loadConfig({ ...base, MFA_RESET_FUNCTIONS: 'intake', GRAPH_MAX_CONCURRENCY: 'lots' });
    expect(c.functions).toBe('intake');
    expect(c.graph).toBeUndefined();
    expect(c.auth?.tenantId).toBe(TENANT);
  });

  it('worker mode needs no AUTH_* settings', () => {
    const c = loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      ITEM_SEAL_KEY: newSealKey(),
      MfaAudit: 'UseDevelopmentStorage=true',
      MFA_RESET_FUNCTIONS: 'worker',
      KILL_SWITCH: '1',
      PROTECTED_USERS: ' breakglass@contoso.com, ,0b7e1a2c-1111-2222-3333-444455556666 ',
    });
    expect(c.auth).toBeUndefined();
    expect(c.killSwitch).toBe(true);
    expect(c.graph?.protectedUsers).toEqual(['breakglass@contoso.com', '0b7e1a2c-1111-2222-3333-444455556666']);
  });

  it('does not echo protected UPNs in its errors', () => {
    const problems = problemsOf({ ...base, PROTECTED_USERS: 'ok@contoso.com,not an upn' });
    expect(problems.PROTECTED_USERS).toBe('entry 2 must be a UPN or an object id (GUID)');
  });

  it('accepts api:// audiences, explicit issuer and JWKS, and identity-based storage', () => {
    const c = loadConfig({
      AUTH_TENANT_ID: TENANT.toUpperCase(),
      AUTH_AUDIENCE: `api://${API}`,
      AUTH_ISSUER: 'https://localhost:8443/t/v2.0',
      AUTH_JWKS_URI: 'https://localhost:8443/t/discovery/v2.0/keys/',
      AzureWebJobsStorage__accountName: 'stmfareset',
      ITEM_SEAL_KEY: newSealKey(),
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: 'AAAAAAAA-0000-0000-0000-000000000001',
      MFA_RESET_FUNCTIONS: 'Intake',
    });
    expect(c.auth).toEqual({
      tenantId: TENANT,
      audience: API,
      issuer: 'https://localhost:8443/t/v2.0',
      jwksUri: 'https://localhost:8443/t/discovery/v2.0/keys',
    });
    expect(c.storage).toEqual({
      kind: 'identity',
      tableServiceUri: 'https://stmfareset.table.core.windows.net',
      queueServiceUri: 'https://stmfareset.queue.core.windows.net',
      clientId: 'aaaaaaaa-0000-0000-0000-000000000001',
      credential: 'managedidentity',
    });
  });

  it('takes the delegated scope from AUTH_SCOPE (one scope value) and leaves it unset by default', () => {
    expect(loadConfig({ ...base, AUTH_SCOPE: ' Resets.Reset ' }).auth?.scope).toBe('Resets.Reset');
    expect(loadConfig({ ...base, AUTH_SCOPE: '' }).auth).not.toHaveProperty('scope');
    expect(problemsOf({ ...base, AUTH_SCOPE: 'api://x/Resets.Access' }).AUTH_SCOPE).toMatch(/one scope value/);
    expect(problemsOf({ ...base, AUTH_SCOPE: 'a b' }).AUTH_SCOPE).toMatch(/one scope value/);
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ ...base, MAX_BULK_ROWS: '', KILL_SWITCH: ' ', APPLICATIONINSIGHTS_CONNECTION_STRING: '' });
    expect(c.limits.maxBulkRows).toBe(50000);
    expect(c.telemetry).toEqual({});
  });
});

describe('GRAPH_BASE_URL: only a documented Graph host receives the worker token', () => {
  const worker = {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    MFA_RESET_FUNCTIONS: 'worker',
    ITEM_SEAL_KEY: newSealKey(),
    MfaAudit: 'UseDevelopmentStorage=true',
  };
  const allowed =
    'must be the Microsoft Graph root of a cloud: https://graph.microsoft.com, https://graph.microsoft.us, ' +
    'https://dod-graph.microsoft.us or https://microsoftgraph.chinacloudapi.cn; another host (the local emulator) ' +
    'only with GRAPH_ALLOW_ANY_HOST=true, a development setting';

  it.each([
    'https://graph.microsoft.com',
    'https://graph.microsoft.us/',
    'https://dod-graph.microsoft.us',
    'https://microsoftgraph.chinacloudapi.cn',
    'https://GRAPH.microsoft.com/v1.0',
    'https://graph.microsoft.com:443',
  ])('accepts %s', (url) => {
    expect(loadConfig({ ...worker, GRAPH_BASE_URL: url }).graph?.baseUrl).toBe(url.replace(/\/+$/, ''));
  });

  it.each([
    'https://graph.example',
    'https://localhost:8443',
    'https://graph.microsoft.com.evil.example',
    'https://evil-graph.microsoft.com',
    'https://graph.microsoft.com.',
    'https://graph.microsoft.com:8443',
    'https://graph.windows.net',
  ])('refuses %s, naming the setting and the allowed hosts', (url) => {
    expect(problemsOf({ ...worker, GRAPH_BASE_URL: url })).toEqual({ GRAPH_BASE_URL: allowed });
    expect(() => loadConfig({ ...worker, GRAPH_BASE_URL: url })).toThrow(`GRAPH_BASE_URL ${allowed}`);
  });

  it('accepts any https host only with GRAPH_ALLOW_ANY_HOST=true (the emulator stacks)', () => {
    const emulator = { ...worker, GRAPH_BASE_URL: 'https://localhost:8443' };
    expect(loadConfig({ ...emulator, GRAPH_ALLOW_ANY_HOST: 'true' }).graph?.baseUrl).toBe('https://localhost:8443');
    expect(problemsOf({ ...emulator, GRAPH_ALLOW_ANY_HOST: 'false' })).toEqual({ GRAPH_BASE_URL: allowed });
    expect(problemsOf({ ...emulator, GRAPH_ALLOW_ANY_HOST: 'yes' })).toEqual({
      GRAPH_ALLOW_ANY_HOST: 'must be true, false, 1 or 0',
    });
    // The flag never lowers the https floor: tokens are not sent in the clear.
    expect(problemsOf({ ...worker, GRAPH_BASE_URL: 'http://localhost:8443', GRAPH_ALLOW_ANY_HOST: 'true' })).toEqual({
      GRAPH_BASE_URL: 'must be an https URL',
    });
  });

  it('is not checked in intake mode, which has no Graph settings', () => {
    expect(loadConfig({ ...base, MFA_RESET_FUNCTIONS: 'intake', GRAPH_BASE_URL: 'https://graph.example' }).graph).toBe(
      undefined,
    );
  });
});

describe('ITEM_SEAL_KEY: the intake seals work, the worker checks it', () => {
  const { ITEM_SEAL_KEY: _key, ...noKey } = base;
  const required =
    'is required: must be a base64 key of at least 32 bytes (e.g. the output of: openssl rand -base64 32)';

  it('is required in every mode, and refuses a key that is too short or not base64', () => {
    for (const mode of ['all', 'intake', 'worker']) {
      expect(problemsOf({ ...noKey, MFA_RESET_FUNCTIONS: mode }).ITEM_SEAL_KEY).toBe(required);
    }
    const short = Buffer.alloc(31, 7).toString('base64');
    expect(problemsOf({ ...base, ITEM_SEAL_KEY: short }).ITEM_SEAL_KEY).toMatch(/at least 32 bytes/);
    expect(problemsOf({ ...base, ITEM_SEAL_KEY: 'not base64 at all, but long enough!!' }).ITEM_SEAL_KEY).toMatch(
      /base64 key/,
    );
  });

  it('names a Key Vault reference the platform left unresolved, without echoing it', () => {
    const reference = '@Microsoft.KeyVault(VaultName=kv-mfa;SecretName=item-seal-key)';
    const message = problemsOf({ ...base, ITEM_SEAL_KEY: reference }).ITEM_SEAL_KEY;
    expect(message).toMatch(/Key Vault reference the platform could not resolve/);
    expect(message).not.toContain('kv-mfa');
  });

  it('loads the current key and an optional previous one (rotation)', () => {
    const previous = newSealKey();
    const config = loadConfig({ ...base, ITEM_SEAL_PREVIOUS_KEY: previous });
    expect(Buffer.from(config.sealKeys.current).toString('base64')).toBe(base.ITEM_SEAL_KEY);
    expect(Buffer.from(config.sealKeys.previous ?? []).toString('base64')).toBe(previous);
    expect(loadConfig(base).sealKeys.previous).toBeUndefined();
  });
});

describe('CALLBACK_*: completion callbacks', () => {
  it('are off by default: no allowed host, no key', () => {
    expect(loadConfig(base).callbacks).toEqual({ allowedHosts: [], allowLocalhost: false });
  });

  it('loads the allow-list (lower-cased) and the signing key; the intake keeps no key', () => {
    const key = newSealKey();
    const env = {
      ...base,
      CALLBACK_ALLOWED_HOSTS: '*.Logic.Azure.com, contoso.service-now.com',
      CALLBACK_SIGNING_KEY: key,
    };
    const config = loadConfig(env);
    expect(config.callbacks.allowedHosts).toEqual(['*.logic.azure.com', 'contoso.service-now.com']);
    expect(Buffer.from(config.callbacks.signingKey ?? []).toString('base64')).toBe(key);
    expect(loadConfig({ ...env, MFA_RESET_FUNCTIONS: 'intake' }).callbacks.signingKey).toBeUndefined();
  });

  it('refuses hosts that are not host names, and a wildcard over a whole top-level domain', () => {
    for (const bad of ['https://x.logic.azure.com', '10.0.0.4', '*.com', 'a.example.com:443', 'a/b']) {
      expect(problemsOf({ ...base, CALLBACK_ALLOWED_HOSTS: bad, CALLBACK_SIGNING_KEY: newSealKey() })).toHaveProperty(
        'CALLBACK_ALLOWED_HOSTS',
      );
    }
  });

  it('needs the signing key on the worker once callbacks are allowed, not on the intake', () => {
    const env = { ...base, CALLBACK_ALLOWED_HOSTS: '*.logic.azure.com' };
    expect(problemsOf(env).CALLBACK_SIGNING_KEY).toMatch(/is required when CALLBACK_ALLOWED_HOSTS is set/);
    expect(problemsOf({ ...env, CALLBACK_SIGNING_KEY: Buffer.alloc(16).toString('base64') })).toHaveProperty(
      'CALLBACK_SIGNING_KEY',
    );
    expect(loadConfig({ ...env, MFA_RESET_FUNCTIONS: 'intake' }).callbacks.allowedHosts).toEqual(['*.logic.azure.com']);
  });
});

describe('WORKER_MAX_USERS_PER_HOUR', () => {
  const worker = { ...base, MFA_RESET_FUNCTIONS: 'worker' };
  it('defaults to the intake tenant-wide defaults together, and 0 turns it off', () => {
    expect(loadConfig(worker).graph?.maxUsersPerHour).toBe(10_500);
    expect(loadConfig({ ...worker, WORKER_MAX_USERS_PER_HOUR: '0' }).graph?.maxUsersPerHour).toBe(0);
    expect(problemsOf({ ...worker, WORKER_MAX_USERS_PER_HOUR: '-5' }).WORKER_MAX_USERS_PER_HOUR).toMatch(
      /whole number/,
    );
  });
});

describe('MfaData: the reset data on its own connection', () => {
  it('is used when set (identity-based), apart from the host storage, and named for the queue triggers', () => {
    const config = loadConfig({
      ...base,
      AzureWebJobsStorage__accountName: 'sthostintake',
      AzureWebJobsStorage: '',
      MfaData__tableServiceUri: 'https://stdata.table.core.windows.net',
      MfaData__queueServiceUri: 'https://stdata.queue.core.windows.net',
      MfaData__credential: 'managedidentity',
      MfaData__clientId: 'AAAAAAAA-0000-4000-8000-000000000001',
    });
    expect(config.dataConnection).toBe('MfaData');
    expect(config.storage).toEqual({
      kind: 'identity',
      tableServiceUri: 'https://stdata.table.core.windows.net',
      queueServiceUri: 'https://stdata.queue.core.windows.net',
      credential: 'managedidentity',
      clientId: 'aaaaaaaa-0000-4000-8000-000000000001',
    });
  });

  it('falls back to AzureWebJobsStorage when no MfaData setting is present (one account, locally)', () => {
    expect(loadConfig(base).dataConnection).toBe('AzureWebJobsStorage');
  });

  it('names MfaData, not the host storage, when it is set but incomplete', () => {
    const problems = problemsOf({ ...base, MfaData__tableServiceUri: 'https://stdata.table.core.windows.net' });
    expect(problems.MfaData).toMatch(/MfaData__tableServiceUri and MfaData__queueServiceUri/);
    expect(problems.AzureWebJobsStorage).toBeUndefined();
  });
});
