// The compiled deployment (infra/main.bicep → ARM JSON, with the real Bicep CLI) keeps issue 15's storage boundaries:
// each app has its own host storage, the reset data is its own connection, the audit record is written by the worker
// only under a WORM policy that allows appends, the seal key comes from Key Vault, and no account takes shared keys.
// And issue 18's TAP key: created by the template, unwrapped by the intake alone, its public half on the worker only.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, isSymbolic } from './arm-expression.js';
import type { ArmValue } from './arm-expression.js';
import { compileBicep, moduleOf, resourcesOf } from './compile-bicep.js';
import type { ArmResource, ArmTemplate } from './compile-bicep.js';

let main: ArmTemplate;
beforeAll(() => {
  main = compileBicep('infra/main.bicep');
}, 120_000);

const deployments = (): ArmResource[] => resourcesOf(main).filter((r) => r.type === 'Microsoft.Resources/deployments');
const module = (name: string): ArmResource => moduleOf(main, name);
const moduleResources = (name: string): ArmResource[] => resourcesOf(module(name).properties?.template as ArmTemplate);
/** A module parameter's value as main.bicep passes it (module outputs and main's parameters stay symbolic). */
const moduleParam = (name: string, param: string, parameters: Record<string, ArmValue> = {}): ArmValue =>
  evaluate(module(name).properties?.parameters?.[param]?.value, { template: main, parameters });
const output = (deployment: string, name: string) => ({ $output: { deployment, name } });

/** The app settings main.bicep gives one app, with optional values for main's parameters. */
function settingsOf(app: 'intake' | 'worker', parameters: Record<string, ArmValue> = {}): Record<string, ArmValue> {
  const settings = moduleParam(`${app}-app`, 'appSettings', {
    itemSealPreviousKeyEnabled: false,
    tapPublicKey: '',
    ...parameters,
  });
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings) || isSymbolic(settings))
    throw new Error(`the ${app} app's settings did not evaluate to an object: ${JSON.stringify(settings)}`);
  return settings as Record<string, ArmValue>;
}

describe('infra/main.bicep compiled: storage, audit and seal-key boundaries', () => {
  it("points each app's AzureWebJobsStorage at its own host account, which grants only that app's identity", () => {
    for (const app of ['intake', 'worker'] as const) {
      const s = settingsOf(app);
      expect(s.AzureWebJobsStorage__blobServiceUri).toEqual(output(`${app}-host-storage`, 'blobServiceUri'));
      expect(s.AzureWebJobsStorage__tableServiceUri).toEqual(output(`${app}-host-storage`, 'tableServiceUri'));
      expect(s.AzureWebJobsStorage__clientId).toEqual(output(`${app}-identity`, 'clientId'));
      expect(s).not.toHaveProperty('AzureWebJobsStorage__queueServiceUri');
      expect(moduleParam(`${app}-host-storage`, 'principalId')).toEqual(output(`${app}-identity`, 'principalId'));
    }
    expect(moduleParam('intake-host-storage', 'name')).not.toEqual(moduleParam('worker-host-storage', 'name'));
  });

  it('gives both apps the reset data as connection MfaData, with their own identity', () => {
    for (const app of ['intake', 'worker'] as const) {
      const s = settingsOf(app);
      expect(s.MfaData__queueServiceUri).toEqual(output('data-storage', 'queueServiceUri'));
      expect(s.MfaData__tableServiceUri).toEqual(output('data-storage', 'tableServiceUri'));
      expect(s.MfaData__credential).toBe('managedidentity');
      expect(s.MfaData__clientId).toEqual(output(`${app}-identity`, 'clientId'));
    }
  });

  it('gives the worker, and only the worker, the audit account (MfaAudit) and its container', () => {
    const worker = settingsOf('worker');
    expect(worker.MfaAudit__blobServiceUri).toEqual(output('audit-storage', 'blobServiceUri'));
    expect(worker.MfaAudit__tableServiceUri).toEqual(output('audit-storage', 'tableServiceUri'));
    expect(worker.MfaAudit__credential).toBe('managedidentity');
    expect(worker.MfaAudit__clientId).toEqual(output('worker-identity', 'clientId'));
    expect(worker.AUDIT_CONTAINER).toEqual(output('audit-storage', 'containerName'));
    expect(moduleParam('audit-storage', 'containerName')).toBe('audit');
    expect(moduleParam('audit-storage', 'workerGuardTableName')).toBe('workerguard');
    expect(Object.keys(settingsOf('intake')).filter((k) => k.startsWith('MfaAudit') || k.startsWith('AUDIT_'))).toEqual(
      [],
    );
  });

  it('assigns no role on the audit account to the intake: only the worker (and optional operators, read-only)', () => {
    const params = module('audit-storage').properties?.parameters ?? {};
    expect(JSON.stringify(params)).not.toContain('intake-identity');
    expect(moduleParam('audit-storage', 'workerPrincipalId')).toEqual(output('worker-identity', 'principalId'));
    const roles = moduleResources('audit-storage').filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(["[parameters('workerPrincipalId')]", "[parameters('operatorPrincipalId')]"]).toContain(
        role.properties?.principalId,
      );
    }
    // And no role assignment anywhere else is scoped to the audit account.
    const elsewhere = deployments()
      .filter((d) => d.name !== 'audit-storage' && d.properties?.template)
      .flatMap((d) => resourcesOf(d.properties?.template as ArmTemplate))
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
      .filter((r) => JSON.stringify(r).includes('staudit') || JSON.stringify(r).includes("'audit'"));
    expect(elsewhere).toEqual([]);
  });

  it("lets the worker's audit role read, create and append blobs, never overwrite or delete them", () => {
    const appender = moduleResources('custom-roles').find(
      (r) => r.type === 'Microsoft.Authorization/roleDefinitions' && String(r.name).includes('audit-appender'),
    );
    const permissions = (appender?.properties?.permissions ?? []) as { dataActions: string[]; actions: string[] }[];
    expect(permissions.flatMap((p) => p.dataActions).sort()).toEqual([
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
    ]);
    expect(permissions.flatMap((p) => p.actions)).toEqual([]);
  });

  it('puts a time-based retention policy on the audit container that allows appends, with the parameter retention', () => {
    const policy = moduleResources('audit-storage').find(
      (r) => r.type === 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies',
    );
    expect(policy?.properties?.allowProtectedAppendWrites).toBe(true);
    expect(policy?.properties).not.toHaveProperty('allowProtectedAppendWritesAll');
    expect(policy?.properties?.immutabilityPeriodSinceCreationInDays).toBe("[parameters('retentionDays')]");
    expect(policy?.condition).toBe("[not(parameters('policyAlreadyLocked'))]");
    expect(String(policy?.name)).toContain("parameters('containerName')");
    expect(moduleParam('audit-storage', 'retentionDays')).toEqual({ $param: 'auditRetentionDays' });
    expect(main.parameters?.auditRetentionDays?.defaultValue).toBe(365);
    expect(main.parameters?.auditImmutabilityLocked?.defaultValue).toBe(true);
  });

  it('makes ITEM_SEAL_KEY (and, during a rotation, ITEM_SEAL_PREVIOUS_KEY) Key Vault references resolved by the app identity', () => {
    const reference = (secret: string) =>
      new RegExp(`^@Microsoft\\.KeyVault\\(VaultName=kv-<[^>]+>;SecretName=${secret}\\)$`);
    for (const app of ['intake', 'worker'] as const) {
      expect(settingsOf(app).ITEM_SEAL_KEY).toMatch(reference('item-seal-key'));
      expect(settingsOf(app, { itemSealPreviousKeyEnabled: false })).not.toHaveProperty('ITEM_SEAL_PREVIOUS_KEY');
      expect(settingsOf(app, { itemSealPreviousKeyEnabled: true }).ITEM_SEAL_PREVIOUS_KEY).toMatch(
        reference('item-seal-previous-key'),
      );
    }
    const site = moduleResources('intake-app').find((r) => r.type === 'Microsoft.Web/sites');
    expect(site?.properties?.keyVaultReferenceIdentity).toBe("[parameters('identityId')]");
    const vault = moduleResources('key-vault').find((r) => r.type === 'Microsoft.KeyVault/vaults');
    expect(vault?.properties).toMatchObject({
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      enablePurgeProtection: true,
    });
    expect(moduleParam('key-vault', 'readerPrincipalIds')).toEqual([
      output('intake-identity', 'principalId'),
      output('worker-identity', 'principalId'),
    ]);
    // The template never holds the key itself (the postprovision hook creates it once).
    expect(JSON.stringify(main)).not.toContain('Microsoft.KeyVault/vaults/secrets');
  });

  it('disables shared-key access on every storage account (host ×2, data, audit)', () => {
    const accounts = deployments()
      .flatMap((d) => (d.properties?.template ? resourcesOf(d.properties.template) : []))
      .filter((r) => r.type === 'Microsoft.Storage/storageAccounts' && !r.existing);
    expect(accounts).toHaveLength(4);
    for (const account of accounts) expect(account.properties?.allowSharedKeyAccess).toBe(false);
  });

  it('seeds every role assignment name with the principal id, not the identity name', () => {
    const assignments = deployments()
      .flatMap((d) => (d.properties?.template ? resourcesOf(d.properties.template) : []))
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(assignments.length).toBeGreaterThan(5);
    for (const a of assignments) expect(a.name).toMatch(/^\[guid\(.*(principalIds?|\.principal)\b/i);
  });
});

describe('infra/main.bicep compiled: the Temporary Access Pass key', () => {
  const allResources = (): ArmResource[] =>
    deployments().flatMap((d) => (d.properties?.template ? resourcesOf(d.properties.template) : []));
  const customRole = (id: string): ArmResource | undefined =>
    moduleResources('custom-roles').find(
      (r) => r.type === 'Microsoft.Authorization/roleDefinitions' && String(r.name).includes(id),
    );
  const dataActionsOf = (role: ArmResource | undefined): string[] =>
    ((role?.properties?.permissions ?? []) as { dataActions: string[] }[]).flatMap((p) => p.dataActions).sort();
  const keyVaultAssignments = () =>
    moduleResources('key-vault').filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');

  it('creates an RSA 3072 key in the vault, for wrapKey and unwrapKey only', () => {
    const keys = moduleResources('key-vault').filter((r) => r.type === 'Microsoft.KeyVault/vaults/keys');
    expect(keys).toHaveLength(1);
    expect(keys[0]?.properties).toMatchObject({ kty: 'RSA', keySize: 3072, keyOps: ['wrapKey', 'unwrapKey'] });
    expect(moduleParam('key-vault', 'tapKeyName')).toBe('tap-key');
  });

  it('lets the intake, and nobody else, unwrap with it: a role with Unwrap Key alone, on the key', () => {
    expect(dataActionsOf(customRole('mfa-reset-tap-key-unwrapper'))).toEqual([
      'Microsoft.KeyVault/vaults/keys/unwrap/action',
    ]);
    const unwrappers = allResources().filter(
      (r) =>
        r.type === 'Microsoft.Authorization/roleAssignments' &&
        JSON.stringify(r.properties?.roleDefinitionId).includes('tapKeyUnwrapperRoleGuid'),
    );
    expect(unwrappers).toHaveLength(1);
    expect(unwrappers[0]?.properties?.principalId).toBe("[parameters('tapUnwrapperPrincipalId')]");
    expect(unwrappers[0]?.scope).toMatch(/^\[resourceId\('Microsoft\.KeyVault\/vaults\/keys'/);
    expect(moduleParam('key-vault', 'tapUnwrapperPrincipalId')).toEqual(output('intake-identity', 'principalId'));
    expect(moduleParam('key-vault', 'tapKeyUnwrapperRoleGuid')).toEqual(
      output('custom-roles', 'tapKeyUnwrapperRoleGuid'),
    );
    // No built-in role that can unwrap or decrypt with a key (Key Vault Administrator, Crypto Officer, Crypto User,
    // Crypto Service Encryption User), for anyone.
    for (const id of [
      '00482a5a-887f-4fb3-b363-3b7fe8e74483',
      '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
      '12338af0-0e69-4776-bea7-57ae8d297424',
      'e147488a-f6f5-4113-8e2d-b22465e65bf6',
    ])
      expect(JSON.stringify(main)).not.toContain(id);
  });

  it('gives the worker nothing on the key, and the deployer only Get Key (to hand the worker its public half)', () => {
    const tapParams = Object.entries(module('key-vault').properties?.parameters ?? {}).filter(([k]) =>
      k.startsWith('tap'),
    );
    expect(JSON.stringify(tapParams)).not.toContain('worker-identity');
    expect(dataActionsOf(customRole('mfa-reset-tap-key-reader'))).toEqual(['Microsoft.KeyVault/vaults/keys/read']);
    const onKey = keyVaultAssignments().filter((r) => String(r.scope).includes('Microsoft.KeyVault/vaults/keys'));
    expect(onKey.map((r) => r.properties?.principalId).sort()).toEqual([
      "[parameters('officerPrincipalId')]",
      "[parameters('tapUnwrapperPrincipalId')]",
    ]);
    const reader = onKey.find((r) => r.properties?.principalId === "[parameters('officerPrincipalId')]");
    expect(reader?.condition).toBe("[not(empty(parameters('officerPrincipalId')))]");
    expect(JSON.stringify(reader?.properties?.roleDefinitionId)).toContain('tapKeyReaderRoleGuid');
  });

  it('sets TAP_KEY_ID (the key URL, no version) on the intake only', () => {
    expect(settingsOf('intake').TAP_KEY_ID).toEqual(output('key-vault', 'tapKeyUri'));
    expect(settingsOf('worker')).not.toHaveProperty('TAP_KEY_ID');
    const vaultOutputs = (module('key-vault').properties?.template as { outputs?: Record<string, { value: string }> })
      .outputs;
    expect(vaultOutputs?.tapKeyUri?.value).toMatch(/\.keyUri\]$/);
  });

  it('sets TAP_PUBLIC_KEY on the worker only, and only once the hook has recorded it (parameter tapPublicKey)', () => {
    expect(settingsOf('worker')).not.toHaveProperty('TAP_PUBLIC_KEY');
    expect(settingsOf('worker', { tapPublicKey: 'LS0tLS1CRUdJTg==' }).TAP_PUBLIC_KEY).toBe('LS0tLS1CRUdJTg==');
    expect(settingsOf('intake', { tapPublicKey: 'LS0tLS1CRUdJTg==' })).not.toHaveProperty('TAP_PUBLIC_KEY');
    expect(main.parameters?.tapPublicKey?.defaultValue).toBe('');
  });
});
