// Policy checks on the compiled ARM template of infra/main.bicep (security requirements 37 and the least-privilege
// notes of docs/deploy.md), so a change that widens a right fails CI. Usage: node policy-check.mjs <main.json>
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const template = JSON.parse(readFileSync(file, 'utf8'));
const text = JSON.stringify(template);
const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
};

/** Every resource of the template and its nested deployments, with the deployment (module) name it sits in. */
function resources(tpl, module = '') {
  const list = Array.isArray(tpl.resources) ? tpl.resources : Object.values(tpl.resources ?? {});
  return list.flatMap((r) =>
    r.type === 'Microsoft.Resources/deployments'
      ? [{ module, resource: r }, ...resources(r.properties.template, r.name)]
      : [{ module, resource: r }],
  );
}
const all = resources(template);
const ofType = (type) => all.filter(({ resource }) => resource.type === type && !resource.existing);

// Broad roles nobody of this service may get (data contributor on queues would equal unauthenticated API access).
const forbiddenRoles = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  // Each can unwrap or decrypt with any key in scope: only the intake may unwrap, with the TAP key alone (custom role).
  'Key Vault Administrator': '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Key Vault Crypto Officer': '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
  'Key Vault Crypto User': '12338af0-0e69-4776-bea7-57ae8d297424',
  'Key Vault Crypto Service Encryption User': 'e147488a-f6f5-4113-8e2d-b22465e65bf6',
};
for (const [name, id] of Object.entries(forbiddenRoles))
  check(!text.includes(id), `the template uses the role ${name}`);

const accounts = ofType('Microsoft.Storage/storageAccounts');
check(
  accounts.length === 4,
  `expected 4 storage accounts (data, audit, intake host, worker host), found ${accounts.length}`,
);
for (const { module, resource } of accounts) {
  const p = resource.properties ?? {};
  check(p.allowSharedKeyAccess === false, `${module}: storage account allows shared-key access`);
  check(p.allowBlobPublicAccess === false, `${module}: storage account allows public blob access`);
  check(p.minimumTlsVersion === 'TLS1_2', `${module}: storage account accepts TLS below 1.2`);
}

for (const { module, resource } of ofType('Microsoft.Web/serverfarms')) {
  check(
    resource.sku?.name === 'FC1' && resource.sku?.tier === 'FlexConsumption',
    `${module}: plan is not FC1 Flex Consumption`,
  );
}
for (const { module, resource } of ofType('Microsoft.Web/sites')) {
  const p = resource.properties ?? {};
  check(resource.identity?.type === 'UserAssigned', `${module}: app does not run under a user-assigned identity only`);
  check(p.httpsOnly === true, `${module}: app accepts plain http`);
  const runtime = p.functionAppConfig?.runtime;
  check(runtime?.name === 'node' && runtime?.version === '22', `${module}: app does not run Node 22`);
  check(
    p.functionAppConfig?.deployment?.storage?.authentication?.type === 'UserAssignedIdentity',
    `${module}: package not read with the app identity`,
  );
}
// Issue 16: deployments roll, Application Insights takes only authenticated telemetry, alerts are deployed.
for (const { module, resource } of ofType('Microsoft.Web/sites')) {
  const config = resource.properties?.functionAppConfig ?? {};
  check(config.siteUpdateStrategy?.type === 'RollingUpdate', `${module}: site update strategy is not RollingUpdate`);
  check(config.scaleAndConcurrency?.alwaysReady !== undefined, `${module}: no alwaysReady configuration`);
}
for (const { module, resource } of ofType('Microsoft.Insights/components'))
  check(resource.properties?.DisableLocalAuth !== false, `${module}: Application Insights accepts local auth`);
check(ofType('Microsoft.Insights/scheduledQueryRules').length > 0, 'no alert rule is deployed');
for (const { module, resource } of ofType('Microsoft.Web/sites/basicPublishingCredentialsPolicies')) {
  check(resource.properties?.allow === false, `${module}: basic-auth publishing is allowed`);
}

// Only the worker carries Graph settings; each app registers only its own functions.
const deployment = (name) =>
  all.find(({ resource }) => resource.type === 'Microsoft.Resources/deployments' && resource.name === name)?.resource;
const settingsOf = (name) => JSON.stringify(deployment(name)?.properties?.parameters?.appSettings ?? '');
const intake = settingsOf('intake-app');
const worker = settingsOf('worker-app');
check(intake.includes("'MFA_RESET_FUNCTIONS', 'intake'"), 'intake app: MFA_RESET_FUNCTIONS is not intake');
check(worker.includes("'MFA_RESET_FUNCTIONS', 'worker'"), 'worker app: MFA_RESET_FUNCTIONS is not worker');
check(!/GRAPH_|PROTECTED_|KILL_SWITCH/.test(intake), 'intake app: carries Graph/worker settings');
check(/'GRAPH_BASE_URL'/.test(worker), 'worker app: no GRAPH_BASE_URL');
check(!/AUTH_AUDIENCE/.test(worker), 'worker app: carries the API audience');
// The TAP key: the intake unwraps with it (TAP_KEY_ID); the worker only seals with its public half.
check(/'TAP_KEY_ID'/.test(intake), 'intake app: no TAP_KEY_ID');
check(!/TAP_KEY_ID|TAP_PRIVATE_KEY_FILE/.test(worker), 'worker app: carries the TAP private key setting');
check(!/TAP_PUBLIC_KEY/.test(intake), 'intake app: carries TAP_PUBLIC_KEY');
const unwrapRoles = ofType('Microsoft.Authorization/roleDefinitions').filter(({ resource }) =>
  JSON.stringify(resource.properties?.permissions ?? []).includes('keys/unwrap/action'),
);
check(
  unwrapRoles.length === 1 &&
    JSON.stringify(unwrapRoles[0].resource.properties.permissions.flatMap((p) => p.dataActions)) ===
      '["Microsoft.KeyVault/vaults/keys/unwrap/action"]',
  'custom roles: expected one role granting Unwrap Key alone',
);

// The intake's queue grants are Message Sender only.
const dataRoles = deployment('data-roles')?.properties?.template;
const intakeGrants = JSON.stringify(
  dataRoles?.variables?.intakeGrants ?? dataRoles?.variables?.copy?.find((c) => c.name === 'intakeGrants') ?? '',
);
check(intakeGrants.includes('storageQueueDataMessageSender'), 'data roles: intake grants not found');
check(
  !/Processor|Reader|Contributor/.test(intakeGrants),
  'data roles: the intake gets more than Message Sender on the queues',
);

// The audit account: no input from the intake's identity reaches its module (so no role for it there).
const auditParams = JSON.stringify(deployment('audit-storage')?.properties?.parameters ?? '');
check(auditParams !== '""', 'audit-storage module not found');
check(!auditParams.includes('intake-identity'), 'audit storage: the intake identity is passed to the audit account');
check(!/MfaAudit|AUDIT_CONTAINER/.test(intake), 'intake app: carries the audit account settings');

if (problems.length > 0) {
  console.error(`policy check of ${file} failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `policy check: ${accounts.length} storage accounts, ${ofType('Microsoft.Web/sites').length} apps, role and setting split OK`,
);
