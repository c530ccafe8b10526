// APPLICATIONINSIGHTS_AUTHENTICATION_STRING as the deployment writes it (infra/main.bicep) decides how the exporter
// authenticates: the app's user-assigned identity by client id; absent, the instrumentation key alone.
import { describe, expect, it } from 'vitest';
import { exporterAuthOf } from '../../src/lib/telemetry/index.js';

describe('exporterAuthOf', () => {
  it("reads the deployment's value: Microsoft Entra with the user-assigned identity's client id", () => {
    expect(exporterAuthOf('ClientId=1b2c3d4e-0000-4000-8000-000000000001;Authorization=AAD')).toEqual({
      kind: 'managed_identity',
      clientId: '1b2c3d4e-0000-4000-8000-000000000001',
    });
    expect(exporterAuthOf(' authorization=aad ; ')).toEqual({ kind: 'managed_identity' });
  });

  it('falls back to local auth only when the setting is absent, and refuses what it does not understand', () => {
    expect(exporterAuthOf(undefined)).toEqual({ kind: 'local' });
    expect(exporterAuthOf('  ')).toEqual({ kind: 'local' });
    expect(() => exporterAuthOf('Authorization=Basic')).toThrow(/only Authorization=AAD/);
    expect(() => exporterAuthOf('ClientId')).toThrow(/key=value/);
  });
});
