// The compiled deployment (infra/main.bicep → ARM JSON, real Bicep CLI, compiled once) keeps issue 16's properties, so
// a regression fails CI: rolling updates, always-ready instances and instance caps, deployed alerts that count events
// the code really emits (every query parsed by the Kusto language service) and notify an action group, Application
// Insights with local auth off and the apps' exporters on their managed identities, the host's body limit equal to the
// app's, the token issuer and keys from the cloud's login endpoint, and the network-isolated variant.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetItemsFunction } from '../../src/functions/reset-items.js';
import { limitsSchema } from '../../src/lib/config/schema.js';
import { deadLetterQueueName } from '../../src/lib/queue/index.js';
import { telemetryEvents } from '../../src/lib/telemetry/index.js';
import { kqlErrors } from '../contract/support/kql.js';
import { evaluate, isSymbolic } from './arm-expression.js';
import type { ArmValue } from './arm-expression.js';
import { compileBicep, moduleOf, resourcesOf } from './compile-bicep.js';
import type { ArmResource, ArmTemplate } from './compile-bicep.js';

let main: ArmTemplate;
beforeAll(() => {
  main = compileBicep('infra/main.bicep');
}, 120_000);

const module = (name: string): ArmResource => moduleOf(main, name);
const templateOf = (name: string): ArmTemplate => module(name).properties?.template as ArmTemplate;
const resourceOf = (name: string, type: string): ArmResource => {
  const found = resourcesOf(templateOf(name)).find((r) => r.type === type && !r.existing);
  if (!found) throw new Error(`module '${name}' has no ${type}`);
  return found;
};
/**
 * A module parameter as main.bicep passes it, with values for main's parameters. A parameter passed conditionally
 * compiles to one expression for the whole `{ value }` object: evaluate it, then take its value.
 */
function moduleParam(name: string, param: string, parameters: Record<string, ArmValue> = {}): ArmValue {
  const passed: unknown = module(name).properties?.parameters?.[param];
  if (passed === undefined) throw new Error(`module '${name}' gets no parameter '${param}'`);
  const value = evaluate(typeof passed === 'string' ? passed : (passed as { value: unknown }).value, {
    template: main,
    parameters,
  });
  if (typeof passed !== 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isSymbolic(value) && 'value' in value)
    return value.value ?? null;
  return value;
}
const output = (deployment: string, name: string) => ({ $output: { deployment, name } });
const defaults = (): Record<string, ArmValue> =>
  Object.fromEntries(
    Object.entries(main.parameters ?? {})
      .filter(([, p]) => p.defaultValue !== undefined)
      .map(([k, p]) => [k, p.defaultValue as ArmValue]),
  );
function settingsOf(app: 'intake' | 'worker', parameters: Record<string, ArmValue> = {}): Record<string, ArmValue> {
  const settings = moduleParam(`${app}-app`, 'appSettings', { ...defaults(), ...parameters });
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings) || isSymbolic(settings))
    throw new Error(`the ${app} app's settings did not evaluate to an object: ${JSON.stringify(settings)}`);
  return settings as Record<string, ArmValue>;
}

describe('infra/main.bicep compiled: rollouts and scale', () => {
  it('rolls deployments and settings changes (siteUpdateStrategy RollingUpdate) on both apps', () => {
    const site = resourceOf('intake-app', 'Microsoft.Web/sites');
    const config = site.properties?.functionAppConfig as Record<string, unknown>;
    expect(config.siteUpdateStrategy).toEqual({ type: 'RollingUpdate' });
    // Both apps are the same module.
    expect(templateOf('worker-app')).toEqual(templateOf('intake-app'));
  });

  it('keeps always-ready instances for the HTTP group and the item worker, and caps both apps', () => {
    const site = resourceOf('intake-app', 'Microsoft.Web/sites');
    const scale = (site.properties?.functionAppConfig as { scaleAndConcurrency: Record<string, unknown> })
      .scaleAndConcurrency;
    expect(scale).toMatchObject({
      alwaysReady: "[parameters('alwaysReady')]",
      maximumInstanceCount: "[parameters('maximumInstanceCount')]",
    });
    expect(moduleParam('intake-app', 'alwaysReady', defaults())).toEqual([{ name: 'http', instanceCount: 1 }]);
    expect(moduleParam('worker-app', 'alwaysReady', defaults())).toEqual([
      { name: `function:${resetItemsFunction.name}`, instanceCount: 1 },
    ]);
    expect(moduleParam('worker-app', 'alwaysReady', { ...defaults(), workerAlwaysReadyInstances: 0 })).toEqual([]);
    expect(moduleParam('worker-app', 'maximumInstanceCount')).toEqual({ $param: 'workerMaximumInstanceCount' });
    expect(main.parameters?.workerMaximumInstanceCount?.defaultValue).toBe(4);
    expect(moduleParam('intake-app', 'maximumInstanceCount')).toEqual({ $param: 'intakeMaximumInstanceCount' });
  });

  it("limits the host's request body to the app's MAX_BODY_BYTES, by default the app's own default", () => {
    const intake = settingsOf('intake');
    expect(intake.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).toEqual(intake.MAX_BODY_BYTES);
    expect(intake.MAX_BODY_BYTES).toEqual({ $expr: "string(parameters('maxBodyBytes'))" });
    expect(main.parameters?.maxBodyBytes?.defaultValue).toBe(limitsSchema.parse({}).MAX_BODY_BYTES);
  });

  it("takes the token issuer and signing keys from this cloud's Microsoft Entra endpoint, not the public cloud's", () => {
    const intake = settingsOf('intake');
    const login = '<environment().authentication.loginEndpoint>';
    expect(intake.AUTH_ISSUER).toMatch(new RegExp(`^${escape(login)}<[^>]+>/v2\\.0$`));
    expect(intake.AUTH_JWKS_URI).toMatch(new RegExp(`^${escape(login)}<[^>]+>/discovery/v2\\.0/keys$`));
    expect(JSON.stringify(main)).not.toMatch(/login\.microsoftonline\.com|graph\.microsoft\.com/);
  });
});

describe('infra/main.bicep compiled: telemetry and alerts', () => {
  it('turns local auth off on Application Insights; each app exports with its own identity, a Metrics Publisher', () => {
    const component = resourceOf('monitoring', 'Microsoft.Insights/components');
    expect(component.properties?.DisableLocalAuth).toBe("[parameters('disableLocalAuth')]");
    expect(moduleParam('monitoring', 'disableLocalAuth')).toEqual({ $param: 'appInsightsEntraAuthOnly' });
    expect(main.parameters?.appInsightsEntraAuthOnly?.defaultValue).toBe(true);
    for (const app of ['intake', 'worker'] as const)
      expect(settingsOf(app).APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(
        `ClientId=<${app}-identity.clientId>;Authorization=AAD`,
      );
    expect(moduleParam('telemetry-roles', 'principalIds')).toEqual([
      output('intake-identity', 'principalId'),
      output('worker-identity', 'principalId'),
    ]);
    const publisher = resourceOf('telemetry-roles', 'Microsoft.Authorization/roleAssignments');
    expect(JSON.stringify(publisher.properties?.roleDefinitionId)).toContain('monitoringMetricsPublisher');
  });

  const alertsTemplate = (): ArmTemplate => templateOf('alerts');
  const alertList = (): { key: string; query: string; threshold: ArmValue; severity: number }[] =>
    evaluate(alertsTemplate().variables?.alerts, { template: alertsTemplate() }) as never;

  it('deploys a log alert per signal, each notifying the action groups', () => {
    expect(alertList().map((a) => a.key)).toEqual(
      expect.arrayContaining([
        'poison-messages',
        'poison-queue-not-draining',
        'dead-lettered',
        'items-failed',
        'breaker-tripped',
        'kill-switch-changed',
        'guard-unavailable',
        'graph-permission-removed',
      ]),
    );
    const rules = resourceOf('alerts', 'Microsoft.Insights/scheduledQueryRules');
    expect(rules.copy).toEqual({ name: 'rules', count: "[length(variables('alerts'))]" });
    expect(rules.kind).toBe('LogAlert');
    expect(rules.properties?.scopes).toEqual(["[parameters('appInsightsId')]"]);
    expect(rules.properties?.actions).toEqual({ actionGroups: "[variables('actionGroups')]" });
    expect(String(alertsTemplate().variables?.actionGroups)).toMatch(
      /parameters\('actionGroupId'\).*Microsoft\.Insights\/actionGroups/,
    );
    expect(moduleParam('alerts', 'appInsightsId')).toEqual(output('monitoring', 'appInsightsId'));
    expect(moduleParam('alerts', 'actionGroupId')).toEqual({ $param: 'alertActionGroupId' });
    expect(moduleParam('alerts', 'emailAddress')).toEqual({ $param: 'alertEmailAddress' });
    const group = resourceOf('alerts', 'Microsoft.Insights/actionGroups');
    expect(group.condition).toBe("[not(empty(parameters('emailAddress')))]");
    expect(JSON.stringify(group.properties?.emailReceivers)).toContain("parameters('emailAddress')");
  });

  it('queries only events the code emits, with error codes it produces, in KQL that parses', () => {
    const emitted = new Set<string>(Object.values(telemetryEvents));
    const source = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    for (const alert of alertList()) {
      expect(typeof alert.query, alert.key).toBe('string');
      expect(kqlErrors(alert.query), `${alert.key}: ${alert.query}`).toEqual([]);
      const names = [...alert.query.matchAll(/'(MfaReset\.\w+)'/g)].map((m) => m[1]);
      expect(names.length, alert.key).toBeGreaterThan(0);
      for (const name of names) expect(emitted, `${alert.key}: ${name}`).toContain(name);
    }
    const query = (key: string): string => alertList().find((a) => a.key === key)?.query ?? '';
    // The codes the alerts look for are the ones the worker writes (src/lib/reset).
    expect(query('guard-unavailable')).toContain("'guard_unavailable'");
    expect(source('src/lib/reset/guard.ts')).toContain("readonly code = 'guard_unavailable'");
    expect(query('graph-permission-removed')).toContain("'graph_permission_missing'");
    expect(source('src/lib/reset/describe-failure.ts')).toContain("code: 'graph_permission_missing'");
    expect(query('items-failed')).toContain("tostring(customDimensions.outcome) == 'failed'");
    expect(query('poison-messages')).toContain("'poison_message'");
    expect(source('src/lib/callbacks/deliver-callback.ts')).toContain("reason: 'poison_message'");
  });

  it('provisions the dead-letter queue; the worker may only send to it', () => {
    expect(moduleParam('data-storage', 'deadLetterQueueName')).toBe(deadLetterQueueName);
    expect(moduleParam('data-roles', 'deadLetterQueueName')).toBe(deadLetterQueueName);
    const roles = templateOf('data-roles');
    expect(String(roles.variables?.workerGrants)).toMatch(
      /indexOf\(variables\('allQueues'\), parameters\('deadLetterQueueName'\)\), 'role', variables\('builtInRoles'\)\.storageQueueDataMessageSender/,
    );
  });
});

describe('infra/main.bicep compiled: the network-isolated variant (vnetEnabled)', () => {
  it('is off by default and deploys the network module only when enabled', () => {
    expect(main.parameters?.vnetEnabled?.defaultValue).toBe(false);
    expect(module('network').condition).toBe("[parameters('vnetEnabled')]");
  });

  it('puts a private endpoint on every storage service the apps use and on the vault', () => {
    const endpoints = moduleParam('network', 'endpoints') as { privateLinkServiceId: ArmValue; groupId: string }[];
    const seen = endpoints.map(
      (e) => `${(e.privateLinkServiceId as { $output: { deployment: string } }).$output.deployment}:${e.groupId}`,
    );
    expect(seen.sort()).toEqual(
      [
        'audit-storage:blob',
        'audit-storage:table',
        'data-storage:queue',
        'data-storage:table',
        'intake-host-storage:blob',
        'intake-host-storage:table',
        'key-vault:vault',
        'worker-host-storage:blob',
        'worker-host-storage:table',
      ].sort(),
    );
    const types = resourcesOf(templateOf('network')).map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'Microsoft.Network/virtualNetworks',
        'Microsoft.Network/privateEndpoints',
        'Microsoft.Network/privateDnsZones',
        'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
        'Microsoft.Network/privateEndpoints/privateDnsZoneGroups',
      ]),
    );
    // Flex Consumption's integration subnets are delegated to Microsoft.App/environments.
    const vnet = resourceOf('network', 'Microsoft.Network/virtualNetworks');
    const subnets = (vnet.properties?.subnets ?? []) as { name: string; properties: { delegations?: unknown[] } }[];
    for (const name of ['snet-intake', 'snet-worker'])
      expect(JSON.stringify(subnets.find((s) => s.name === name)?.properties.delegations)).toContain(
        'Microsoft.App/environments',
      );
  });

  it('closes storage and the vault to the public network, integrates both apps and denies inbound on the worker', () => {
    for (const name of ['data-storage', 'audit-storage', 'intake-host-storage', 'worker-host-storage', 'key-vault']) {
      expect(moduleParam(name, 'networkIsolated'), name).toEqual({ $param: 'vnetEnabled' });
      const target = resourcesOf(templateOf(name)).find((r) =>
        ['Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults'].includes(r.type),
      );
      expect(target?.properties?.publicNetworkAccess, name).toBe("[variables('network').publicNetworkAccess]");
      expect(target?.properties?.networkAcls, name).toBe("[variables('network').networkAcls]");
    }
    const on = { ...defaults(), vnetEnabled: true };
    const off = defaults();
    expect(moduleParam('intake-app', 'virtualNetworkSubnetId', on)).toEqual(output('network', 'intakeSubnetId'));
    expect(moduleParam('worker-app', 'virtualNetworkSubnetId', on)).toEqual(output('network', 'workerSubnetId'));
    expect(moduleParam('worker-app', 'virtualNetworkSubnetId', off)).toBe('');
    expect(moduleParam('worker-app', 'denyInbound', on)).toBe(true);
    expect(moduleParam('intake-app', 'denyInbound', on)).toBe(false);
    const siteConfig = resourceOf('worker-app', 'Microsoft.Web/sites').properties?.siteConfig;
    expect(siteConfig).toMatchObject({
      ipSecurityRestrictionsDefaultAction: "[if(parameters('denyInbound'), 'Deny', 'Allow')]",
      scmIpSecurityRestrictionsUseMain: false,
      scmIpSecurityRestrictionsDefaultAction: 'Allow',
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&');
}
