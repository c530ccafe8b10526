// The audit record's settings: required where the worker runs (a clear error names the fix), never loaded by the
// intake, identity-based like AzureWebJobsStorage__*.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/config/index.js';
import { newSealKey } from '../../dev/stack/seal-key.js';

const storage = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', ITEM_SEAL_KEY: newSealKey() };
const intakeAuth = {
  AUTH_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  AUTH_AUDIENCE: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
};

function problemOf(env: Record<string, string>, key: string): string | undefined {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.find((p) => p.key === key)?.message;
  }
  return undefined;
}

describe('audit record settings', () => {
  it.each(['worker', 'all'])('%s mode refuses to start without the record, naming the settings to set', (mode) => {
    const env = { ...storage, ...intakeAuth, MFA_RESET_FUNCTIONS: mode };
    expect(problemOf(env, 'MfaAudit')).toMatch(/is required where the worker runs.*MfaAudit__blobServiceUri/);
  });

  it('the intake never loads them', () => {
    const c = loadConfig({ ...storage, ...intakeAuth, MFA_RESET_FUNCTIONS: 'intake', MfaAudit: 'x' });
    expect(c.audit).toBeUndefined();
  });

  it('takes a connection string and the default container', () => {
    const c = loadConfig({ ...storage, MFA_RESET_FUNCTIONS: 'worker', MfaAudit: 'UseDevelopmentStorage=true' });
    expect(c.audit).toEqual({
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      container: 'audit',
    });
  });

  it('takes identity-based settings from the account name, like AzureWebJobsStorage__*', () => {
    const c = loadConfig({
      ...storage,
      MFA_RESET_FUNCTIONS: 'worker',
      MfaAudit__accountName: 'staudit',
      MfaAudit__credential: 'managedidentity',
      MfaAudit__clientId: 'AAAAAAAA-0000-0000-0000-000000000001',
      AUDIT_CONTAINER: 'audit-2026',
    });
    expect(c.audit).toEqual({
      storage: {
        kind: 'identity',
        blobServiceUri: 'https://staudit.blob.core.windows.net',
        tableServiceUri: 'https://staudit.table.core.windows.net',
        clientId: 'aaaaaaaa-0000-0000-0000-000000000001',
        credential: 'managedidentity',
      },
      container: 'audit-2026',
    });
  });

  it('takes explicit service URIs and refuses a bad container name', () => {
    const c = loadConfig({
      ...storage,
      MFA_RESET_FUNCTIONS: 'worker',
      MfaAudit__blobServiceUri: 'https://staudit.blob.core.windows.net',
    });
    expect(c.audit?.storage).toEqual({ kind: 'identity', blobServiceUri: 'https://staudit.blob.core.windows.net' });
    expect(
      problemOf(
        { ...storage, MFA_RESET_FUNCTIONS: 'worker', MfaAudit: 'x', AUDIT_CONTAINER: 'Audit_Log' },
        'AUDIT_CONTAINER',
      ),
    ).toMatch(/container name/);
  });
});
