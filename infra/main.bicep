// mfa-reset on Azure: two Flex Consumption function apps deployed from one package.
//   intake: the HTTP API (MFA_RESET_FUNCTIONS=intake). Writes requests and enqueues work. No Graph permissions.
//   worker: the queue functions (MFA_RESET_FUNCTIONS=worker). The only identity that gets Graph application
//           permissions, granted after deployment by scripts/grant-graph-permissions.ts (see docs/deploy.md).
// Storage is identity-based everywhere (shared-key access disabled), in four accounts so that each identity can write
// only what it must (docs/deploy.md "Identities and least privilege", docs/security.md):
//   stintake…/stworker…: each app's own host storage (AzureWebJobsStorage);
//   stdata…: the reset data (connection MfaData): the work queues and the state table;
//   staudit…: the audit record (connection MfaAudit), written by the worker only, under a WORM policy.
// The item-seal key lives in a Key Vault and reaches both apps as a Key Vault reference (ITEM_SEAL_KEY).
// Deployments roll (function-app.bicep), the component takes only Microsoft Entra authenticated telemetry, alerts on
// the service's own events go to an action group (alerts.bicep), and vnetEnabled puts storage and the vault behind
// private endpoints (network.bicep). test/infra/deploy-shape.test.ts checks these on the compiled template.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource (must offer the Flex Consumption plan).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group name. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Tenant whose tokens the API accepts (AUTH_TENANT_ID). Empty: the tenant of this deployment.')
param authTenantId string = ''

@description('Application (client) id of the service\'s API app registration (AUTH_AUDIENCE). Register it first: docs/deploy.md.')
@minLength(36)
@maxLength(36)
param authAudience string

@description('Microsoft Graph root (GRAPH_BASE_URL). Empty: the Graph endpoint of this Azure cloud.')
param graphBaseUrl string = ''

@description('Comma-separated UPNs or object ids that are never reset (PROTECTED_USERS), e.g. break-glass accounts.')
param protectedUsers string = ''

@description('Comma-separated group object ids whose (transitive) members are never reset (PROTECTED_GROUP_IDS).')
param protectedGroupIds string = ''

@description('KILL_SWITCH: "true" stops every Graph write; items stay queued (deferred) until it is "false" again.')
@allowed(['true', 'false'])
param killSwitch string = 'false'

@description('Ceiling of concurrent Graph calls per worker process (GRAPH_MAX_CONCURRENCY).')
@minValue(1)
@maxValue(256)
param graphMaxConcurrency int = 16

@description('A Graph Retry-After longer than this (seconds) defers the item on the queue (GRAPH_MAX_WAIT_SECONDS).')
@minValue(0)
@maxValue(600)
param graphMaxWaitSeconds int = 30

@description('Users accepted in one request (MAX_BULK_ROWS).')
@minValue(1)
@maxValue(100000)
param maxBulkRows int = 50000

@description('Most instances the intake may scale to.')
@minValue(1)
@maxValue(1000)
param intakeMaximumInstanceCount int = 40

@description('Most instances the worker may scale to. Small on purpose: Graph\'s write budget is per application and tenant, so more instances mostly collect 429s (the reasoning: docs/runtime.md).')
@minValue(1)
@maxValue(1000)
param workerMaximumInstanceCount int = 4

@description('Always-ready instances of the intake\'s HTTP functions (group "http"): the first request after idle is not a cold start. Billed while idle; 0: none.')
@minValue(0)
@maxValue(10)
param intakeAlwaysReadyInstances int = 1

@description('Always-ready instances of the worker\'s item function (reset-items). Billed while idle; 0: none.')
@minValue(0)
@maxValue(10)
param workerAlwaysReadyInstances int = 1

@description('Largest request body the API accepts, in bytes: the app\'s MAX_BODY_BYTES and the host\'s FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (otherwise the host buffers up to 100 MB before the app\'s check).')
@minValue(1024)
@maxValue(104857600)
param maxBodyBytes int = 8388608

@description('true: Application Insights accepts only Microsoft Entra authenticated telemetry (both apps\' exporters authenticate with their managed identity). false only to debug an ingestion problem.')
param appInsightsEntraAuthOnly bool = true

@description('Resource id of an existing action group the alerts notify. Empty: none (see alertEmailAddress).')
param alertActionGroupId string = ''

@description('E-mail address the alerts notify, through an action group created by this deployment. Empty: none.')
param alertEmailAddress string = ''

@description('Failed items tolerated per 15 minutes before the items-failed alert fires (0: any failure).')
@minValue(0)
param itemsFailedAlertThreshold int = 0

@description('true: network-isolated variant. Storage accounts and the Key Vault are reached through private endpoints from a virtual network both apps are integrated with; the worker answers no inbound request.')
param vnetEnabled bool = false

@description('With vnetEnabled: comma-separated address ranges (CIDR or single IPv4) that may still reach storage and the vault from outside, e.g. where azd and the postprovision hook run. Empty: none.')
param allowedIpRanges string = ''

@description('Replication of the data and audit storage accounts. Zone-redundant where the region offers it.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param dataStorageSku string = 'Standard_LRS'

@description('Days each audit blob stays immutable (time-based retention of the audit container). Once the policy is locked it can only be increased.')
@minValue(1)
@maxValue(146000)
param auditRetentionDays int = 365

@description('true: the postprovision hook locks the audit container\'s retention policy (production). A locked policy cannot be shortened or removed, and the audit account cannot be deleted while it holds protected blobs. false for test environments.')
param auditImmutabilityLocked bool = true

@description('Set by the postprovision hook (AUDIT_POLICY_LOCKED) once the policy is locked: a locked policy cannot be redeployed, so the template leaves it out.')
param auditPolicyAlreadyLocked bool = false

@description('true: the apps also get ITEM_SEAL_PREVIOUS_KEY (secret item-seal-previous-key), during a key rotation (docs/operations.md). The secret must exist first.')
param itemSealPreviousKeyEnabled bool = false

@description('true: the deployer gets Key Vault Secrets Officer on the vault, so the postprovision hook can create the seal key. false: someone with that role runs the hook (docs/deploy.md).')
param grantDeployerSecretsOfficer bool = true

@description('Set by the postprovision hook (TAP_PUBLIC_KEY): the public half of the TAP key in the vault, base64 of its PEM, for the worker\'s TAP_PUBLIC_KEY. Empty (the first provision, before the hook has read it): the setting is left out.')
param tapPublicKey string = ''

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

@description('Completion callbacks: hosts a callbackUrl may name (comma list; exact names or *.suffix, e.g. *.logic.azure.com,contoso.service-now.com). Empty: callbacks refused.')
param callbackAllowedHosts string = ''

@description('Optional object id of an operators\' group (or user): read-only access to the queues and tables. Empty: none.')
param operatorPrincipalId string = ''

@description('Type of operatorPrincipalId.')
@allowed(['User', 'Group'])
param operatorPrincipalType string = 'Group'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var ipRanges = filter(map(split(allowedIpRanges, ','), r => trim(r)), r => !empty(r))
// Microsoft Entra endpoints of this cloud (sovereign clouds included): the API's token issuer and its signing keys.
var loginEndpoint = environment().authentication.loginEndpoint
var effectiveAuthTenantId = !empty(authTenantId) ? authTenantId : tenant().tenantId
var cloudGraph = environment().graph
var effectiveGraphBaseUrl = !empty(graphBaseUrl)
  ? graphBaseUrl
  : (endsWith(cloudGraph, '/') ? take(cloudGraph, max(length(cloudGraph) - 1, 0)) : cloudGraph)

// Queue names: contracts §4 (src/lib/queue/reset-queue.ts). Table: the state store's DEFAULT_TABLE_NAME
// (src/lib/store/keys.ts); tables the code adds later are created by the apps (Table Data Contributor allows it).
var batchesQueueName = 'reset-batches'
var itemsQueueName = 'reset-items'
var callbacksQueueName = 'reset-callbacks'
// Where the poison functions park what they gave up on (src/lib/queue/dead-letter.ts).
var deadLetterQueueName = 'reset-dead-letters'
var tableNames = ['mfaresets']
// The audit record: container (AUDIT_CONTAINER) and the worker's own counters table.
var auditContainerName = 'audit'
var workerGuardTableName = 'workerguard'
// Secret names in the vault; the values are created by the postprovision hook, never by the template.
var itemSealKeySecretName = 'item-seal-key'
var itemSealPreviousKeySecretName = 'item-seal-previous-key'
var callbackSigningKeySecretName = 'callback-signing-key'
// The Temporary Access Pass key (an RSA key in the vault, created by the template: key-vault.bicep).
var tapKeyName = 'tap-key'

// Names are computed here, before deployment, so role assignment names and What-If stay deterministic.
var intakeIdentityName = 'id-intake-${resourceToken}'
var workerIdentityName = 'id-worker-${resourceToken}'
var appInsightsName = 'appi-${resourceToken}'
var dataAccountName = 'stdata${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module intakeIdentity 'modules/identity.bicep' = {
  name: 'intake-identity'
  scope: rg
  params: { location: location, tags: tags, name: intakeIdentityName }
}

module workerIdentity 'modules/identity.bicep' = {
  name: 'worker-identity'
  scope: rg
  params: { location: location, tags: tags, name: workerIdentityName }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: 'log-${resourceToken}'
    appInsightsName: appInsightsName
    retentionInDays: logRetentionInDays
    disableLocalAuth: appInsightsEntraAuthOnly
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    nameSuffix: resourceToken
    actionGroupId: alertActionGroupId
    emailAddress: alertEmailAddress
    itemsFailedThreshold: itemsFailedAlertThreshold
  }
}

module telemetryRoles 'modules/telemetry-roles.bicep' = {
  name: 'telemetry-roles'
  scope: rg
  dependsOn: [monitoring]
  params: {
    appInsightsName: appInsightsName
    principalIds: [intakeIdentity.outputs.principalId, workerIdentity.outputs.principalId]
  }
}

module dataStorage 'modules/data-storage.bicep' = {
  name: 'data-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: dataAccountName
    skuName: dataStorageSku
    queueNames: [batchesQueueName, itemsQueueName, callbacksQueueName]
    deadLetterQueueName: deadLetterQueueName
    tableNames: tableNames
    networkIsolated: vnetEnabled
    allowedIpRanges: ipRanges
  }
}

module customRoles 'modules/custom-roles.bicep' = {
  name: 'custom-roles'
  scope: rg
}

module dataRoles 'modules/data-roles.bicep' = {
  name: 'data-roles'
  scope: rg
  dependsOn: [dataStorage]
  params: {
    dataAccountName: dataAccountName
    batchesQueueName: batchesQueueName
    itemsQueueName: itemsQueueName
    callbacksQueueName: callbacksQueueName
    deadLetterQueueName: deadLetterQueueName
    intakePrincipalId: intakeIdentity.outputs.principalId
    workerPrincipalId: workerIdentity.outputs.principalId
    queueMessageUpdaterRoleGuid: customRoles.outputs.queueMessageUpdaterRoleGuid
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module auditStorage 'modules/audit-storage.bicep' = {
  name: 'audit-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'staudit${resourceToken}'
    skuName: dataStorageSku
    containerName: auditContainerName
    workerGuardTableName: workerGuardTableName
    retentionDays: auditRetentionDays
    policyAlreadyLocked: auditPolicyAlreadyLocked
    networkIsolated: vnetEnabled
    allowedIpRanges: ipRanges
    // Role assignment names are seeded by principal id (a recreated identity must get new assignments, not collide
    // with its predecessor's): a runtime value, so What-If cannot predict those names.
    #disable-next-line what-if-short-circuiting
    workerPrincipalId: workerIdentity.outputs.principalId
    #disable-next-line what-if-short-circuiting
    auditAppenderRoleGuid: customRoles.outputs.auditAppenderRoleGuid
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    location: location
    tags: tags
    name: keyVaultName
    readerPrincipalIds: [intakeIdentity.outputs.principalId, workerIdentity.outputs.principalId]
    officerPrincipalId: grantDeployerSecretsOfficer ? deployer().objectId : ''
    tapKeyName: tapKeyName
    networkIsolated: vnetEnabled
    allowedIpRanges: ipRanges
    // Role assignment names are seeded by principal id and custom role (runtime values): see audit-storage above.
    #disable-next-line what-if-short-circuiting
    tapUnwrapperPrincipalId: intakeIdentity.outputs.principalId
    #disable-next-line what-if-short-circuiting
    tapKeyUnwrapperRoleGuid: customRoles.outputs.tapKeyUnwrapperRoleGuid
    #disable-next-line what-if-short-circuiting
    tapKeyReaderRoleGuid: customRoles.outputs.tapKeyReaderRoleGuid
  }
}

module intakeHost 'modules/host-storage.bicep' = {
  name: 'intake-host-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'stintake${resourceToken}'
    deploymentContainerName: 'app-package-intake'
    networkIsolated: vnetEnabled
    allowedIpRanges: ipRanges
    // Role assignment names are seeded by principal id (a recreated identity must get new assignments, not collide
    // with its predecessor's): a runtime value, so What-If cannot predict those names.
    #disable-next-line what-if-short-circuiting
    principalId: intakeIdentity.outputs.principalId
  }
}

module workerHost 'modules/host-storage.bicep' = {
  name: 'worker-host-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'stworker${resourceToken}'
    deploymentContainerName: 'app-package-worker'
    networkIsolated: vnetEnabled
    allowedIpRanges: ipRanges
    // Role assignment names are seeded by principal id (a recreated identity must get new assignments, not collide
    // with its predecessor's): a runtime value, so What-If cannot predict those names.
    #disable-next-line what-if-short-circuiting
    principalId: workerIdentity.outputs.principalId
  }
}

// The network-isolated variant: private endpoints for every storage service the apps use and for the vault.
module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'vnet-${resourceToken}'
    endpoints: [
      { name: 'pe-intake-blob-${resourceToken}', privateLinkServiceId: intakeHost.outputs.id, groupId: 'blob' }
      { name: 'pe-intake-table-${resourceToken}', privateLinkServiceId: intakeHost.outputs.id, groupId: 'table' }
      { name: 'pe-worker-blob-${resourceToken}', privateLinkServiceId: workerHost.outputs.id, groupId: 'blob' }
      { name: 'pe-worker-table-${resourceToken}', privateLinkServiceId: workerHost.outputs.id, groupId: 'table' }
      { name: 'pe-data-queue-${resourceToken}', privateLinkServiceId: dataStorage.outputs.id, groupId: 'queue' }
      { name: 'pe-data-table-${resourceToken}', privateLinkServiceId: dataStorage.outputs.id, groupId: 'table' }
      { name: 'pe-audit-blob-${resourceToken}', privateLinkServiceId: auditStorage.outputs.id, groupId: 'blob' }
      { name: 'pe-audit-table-${resourceToken}', privateLinkServiceId: auditStorage.outputs.id, groupId: 'table' }
      { name: 'pe-vault-${resourceToken}', privateLinkServiceId: keyVault.outputs.id, groupId: 'vault' }
    ]
  }
}

// Key Vault references, resolved by the platform with each app's identity (function-app.bicep sets
// keyVaultReferenceIdentity). No secret version: the platform picks up a new version within 24 hours or at restart.
var itemSealKeyReference = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${itemSealKeySecretName})'
var itemSealSettings = union(
  { ITEM_SEAL_KEY: itemSealKeyReference },
  itemSealPreviousKeyEnabled
    ? { ITEM_SEAL_PREVIOUS_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${itemSealPreviousKeySecretName})' }
    : {}
)

// Settings both apps share; the identity-dependent ones are built per app below. AzureWebJobsStorage is each app's
// own host account (blobs and the host's tables); the reset data is connection MfaData, which the queue triggers name.
var commonSettings = union(itemSealSettings, {
  // Both apps check a callback URL against this allow-list (the intake before storing it, the worker before calling).
  CALLBACK_ALLOWED_HOSTS: callbackAllowedHosts
  AzureWebJobsStorage__credential: 'managedidentity'
  MfaData__credential: 'managedidentity'
  MfaData__queueServiceUri: dataStorage.outputs.queueServiceUri
  MfaData__tableServiceUri: dataStorage.outputs.tableServiceUri
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
})

// The worker's TAP public key, once the postprovision hook has read it from the vault (the first provision has none yet;
// the hook also sets it on the worker right away).
var workerTapSettings = empty(tapPublicKey) ? {} : { TAP_PUBLIC_KEY: tapPublicKey }

module intakeApp 'modules/function-app.bicep' = {
  name: 'intake-app'
  scope: rg
  // The key vault module is a dependency through TAP_KEY_ID (its roles, hence ITEM_SEAL_KEY's, come with it).
  dependsOn: [dataRoles, telemetryRoles]
  params: {
    location: location
    tags: tags
    serviceName: 'intake'
    name: 'func-intake-${resourceToken}'
    planName: 'plan-intake-${resourceToken}'
    identityId: intakeIdentity.outputs.id
    deploymentContainerUrl: intakeHost.outputs.deploymentContainerUrl
    maximumInstanceCount: intakeMaximumInstanceCount
    instanceMemoryMB: 2048
    alwaysReady: intakeAlwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: intakeAlwaysReadyInstances }] : []
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.intakeSubnetId : ''
    denyInbound: false
    appSettings: union(commonSettings, {
      MFA_RESET_FUNCTIONS: 'intake'
      AzureWebJobsStorage__clientId: intakeIdentity.outputs.clientId
      AzureWebJobsStorage__blobServiceUri: intakeHost.outputs.blobServiceUri
      AzureWebJobsStorage__tableServiceUri: intakeHost.outputs.tableServiceUri
      MfaData__clientId: intakeIdentity.outputs.clientId
      AZURE_CLIENT_ID: intakeIdentity.outputs.clientId
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${intakeIdentity.outputs.clientId};Authorization=AAD'
      AUTH_TENANT_ID: effectiveAuthTenantId
      AUTH_AUDIENCE: authAudience
      // v2.0 tokens of this cloud's Microsoft Entra endpoint (the app's defaults name the public cloud).
      AUTH_ISSUER: '${loginEndpoint}${effectiveAuthTenantId}/v2.0'
      AUTH_JWKS_URI: '${loginEndpoint}${effectiveAuthTenantId}/discovery/v2.0/keys'
      MAX_BULK_ROWS: string(maxBulkRows)
      MAX_BODY_BYTES: string(maxBodyBytes)
      // The host refuses a larger body itself (413) instead of buffering it for the app (docs "App settings
      // reference for Azure Functions", FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, in bytes).
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(maxBodyBytes)
      // The intake alone may unwrap with this key (key-vault.bicep); no version: Key Vault uses the current one.
      TAP_KEY_ID: keyVault.outputs.tapKeyUri
    })
  }
}

module workerApp 'modules/function-app.bicep' = {
  name: 'worker-app'
  scope: rg
  // keyVault: its roles must exist before the platform resolves the Key Vault references. The linter sees it reached
  // through the network module, which is skipped unless vnetEnabled.
  #disable-next-line no-unnecessary-dependson
  dependsOn: [dataRoles, telemetryRoles, keyVault]
  params: {
    location: location
    tags: tags
    serviceName: 'worker'
    name: 'func-worker-${resourceToken}'
    planName: 'plan-worker-${resourceToken}'
    identityId: workerIdentity.outputs.id
    deploymentContainerUrl: workerHost.outputs.deploymentContainerUrl
    maximumInstanceCount: workerMaximumInstanceCount
    instanceMemoryMB: 2048
    alwaysReady: workerAlwaysReadyInstances > 0
      ? [{ name: 'function:reset-items', instanceCount: workerAlwaysReadyInstances }]
      : []
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.workerSubnetId : ''
    // Queue and timer triggers only: nothing needs to reach the worker's site in the isolated variant.
    denyInbound: vnetEnabled
    appSettings: union(commonSettings, workerTapSettings, {
      MFA_RESET_FUNCTIONS: 'worker'
      AzureWebJobsStorage__clientId: workerIdentity.outputs.clientId
      AzureWebJobsStorage__blobServiceUri: workerHost.outputs.blobServiceUri
      AzureWebJobsStorage__tableServiceUri: workerHost.outputs.tableServiceUri
      MfaData__clientId: workerIdentity.outputs.clientId
      MfaAudit__credential: 'managedidentity'
      MfaAudit__clientId: workerIdentity.outputs.clientId
      MfaAudit__blobServiceUri: auditStorage.outputs.blobServiceUri
      MfaAudit__tableServiceUri: auditStorage.outputs.tableServiceUri
      AUDIT_CONTAINER: auditStorage.outputs.containerName
      AZURE_CLIENT_ID: workerIdentity.outputs.clientId
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${workerIdentity.outputs.clientId};Authorization=AAD'
      GRAPH_BASE_URL: effectiveGraphBaseUrl
      GRAPH_MAX_CONCURRENCY: string(graphMaxConcurrency)
      GRAPH_MAX_WAIT_SECONDS: string(graphMaxWaitSeconds)
      PROTECTED_USERS: protectedUsers
      PROTECTED_GROUP_IDS: protectedGroupIds
      KILL_SWITCH: killSwitch
      // Created by the postprovision hook; the worker alone signs callbacks.
      CALLBACK_SIGNING_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${callbackSigningKeySecretName})'
    })
  }
}

// azd stores these in .azure/<environment>/.env; docs/deploy.md reads them with `azd env get-value`.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output INTAKE_FUNCTION_APP_NAME string = intakeApp.outputs.name
output WORKER_FUNCTION_APP_NAME string = workerApp.outputs.name
output API_BASE_URL string = 'https://${intakeApp.outputs.defaultHostName}'
output WORKER_PRINCIPAL_ID string = workerIdentity.outputs.principalId
output WORKER_CLIENT_ID string = workerIdentity.outputs.clientId
output INTAKE_PRINCIPAL_ID string = intakeIdentity.outputs.principalId
output DATA_STORAGE_ACCOUNT string = dataStorage.outputs.name
// Read by the postprovision hook (scripts/postprovision.ts).
output AUDIT_STORAGE_ACCOUNT string = auditStorage.outputs.name
output AUDIT_CONTAINER string = auditStorage.outputs.containerName
// For `npm run audit` against Azure (docs/operations.md "The audit record").
output AUDIT_BLOB_SERVICE_URI string = auditStorage.outputs.blobServiceUri
output DATA_TABLE_SERVICE_URI string = dataStorage.outputs.tableServiceUri
output AUDIT_IMMUTABILITY_LOCKED bool = auditImmutabilityLocked
output AZURE_SUBSCRIPTION_ID string = subscription().subscriptionId
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output ITEM_SEAL_KEY_SECRET_NAME string = itemSealKeySecretName
output CALLBACK_SIGNING_KEY_SECRET_NAME string = callbackSigningKeySecretName
output TAP_KEY_NAME string = keyVault.outputs.tapKeyName
output RESOURCE_MANAGER_URL string = environment().resourceManager
output AUTH_AUDIENCE string = authAudience
output ALERT_RULES string[] = alerts.outputs.ruleNames
