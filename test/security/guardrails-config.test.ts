// The guardrail settings: safe defaults when unset (never "off"), 0 only when an operator says so, and a bad value
// stops start-up naming the key, like every other setting.
import { describe, expect, it } from 'vitest';
import { defaultGuardrailLimits } from '../../src/lib/guardrails/index.js';
import { ConfigError, loadConfig } from '../../src/lib/config/index.js';
import { newSealKey } from '../../dev/stack/seal-key.js';

const base = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  ITEM_SEAL_KEY: newSealKey(),
  AUTH_TENANT_ID: '11111111-1111-4111-8111-111111111111',
  AUTH_AUDIENCE: '22222222-2222-4222-8222-222222222222',
  MFA_RESET_FUNCTIONS: 'intake',
};

describe('guardrail settings', () => {
  it('default to limits that are on, at the values the docs state', () => {
    expect(loadConfig(base).guardrails).toEqual(defaultGuardrailLimits);
    expect(loadConfig(base).guardrails).toEqual({
      callerSinglePerHour: 50,
      callerBulkPerHour: 2_000,
      tenantSinglePerHour: 500,
      tenantBulkPerHour: 10_000,
    });
  });

  it('take explicit values, 0 included', () => {
    const config = loadConfig({
      ...base,
      CALLER_MAX_USERS_PER_HOUR: '20',
      CALLER_MAX_BULK_USERS_PER_HOUR: '0',
      TENANT_MAX_USERS_PER_HOUR: ' 300 ',
      TENANT_MAX_BULK_USERS_PER_HOUR: '',
    });
    expect(config.guardrails).toEqual({
      callerSinglePerHour: 20,
      callerBulkPerHour: 0,
      tenantSinglePerHour: 300,
      tenantBulkPerHour: defaultGuardrailLimits.tenantBulkPerHour,
    });
  });

  it('refuse bad values, naming every bad key at once', () => {
    let error: unknown;
    try {
      loadConfig({ ...base, CALLER_MAX_USERS_PER_HOUR: '-1', TENANT_MAX_USERS_PER_HOUR: 'lots' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['CALLER_MAX_USERS_PER_HOUR', 'TENANT_MAX_USERS_PER_HOUR']));
  });
});
