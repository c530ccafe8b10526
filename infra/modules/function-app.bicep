// One Flex Consumption (FC1, Linux) function app with its own plan (Flex Consumption allows one app per plan),
// running Node 22 under a user-assigned managed identity, deployed from a blob container by that identity.
// Deployments and settings changes roll (siteUpdateStrategy RollingUpdate: instances are drained in batches and
// in-flight executions finish, docs "Site update strategies in Flex Consumption"; in preview there, so a deployment
// must stay backward compatible with the messages and rows the previous version wrote, which ours are: contracts §4).
// alwaysReady keeps warm instances for a trigger group ("http") or one function ("function:<name>"), docs "Azure
// Functions Flex Consumption plan hosting", section "Always ready instances".

@description('Location of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('azd service name (azure.yaml) that deploys to this app.')
param serviceName string

@description('Function app name (globally unique host name).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Resource id of the app\'s user-assigned managed identity.')
param identityId string

@description('URL of the blob container holding the deployment package.')
param deploymentContainerUrl string

@description('Upper bound of instances the platform may scale this app to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Always-ready instances: [{ name: \'http\' | \'function:<name>\', instanceCount }]. Each instance is billed while idle.')
param alwaysReady { name: string, instanceCount: int }[]

@description('Resource id of the subnet (delegated to Microsoft.App/environments) the app\'s outbound traffic uses. Empty: no virtual network integration.')
param virtualNetworkSubnetId string

@description('true: the app itself answers no inbound request (the worker: queue and timer triggers only). The deployment endpoint (scm) stays reachable for azd, with Microsoft Entra only (basic auth is off below).')
param denyInbound bool

@description('App settings (name → value).')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in the app settings (ITEM_SEAL_KEY) resolve with the app's user-assigned identity.
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Access restrictions (docs "Set up Azure App Service access restrictions"): no rule and a Deny default on the
      // main site; the scm site keeps its own rules (none, Allow) so `azd deploy` still reaches it.
      ipSecurityRestrictionsDefaultAction: denyInbound ? 'Deny' : 'Allow'
      scmIpSecurityRestrictionsUseMain: false
      scmIpSecurityRestrictionsDefaultAction: 'Allow'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReady
      }
      // Documented for Microsoft.Web/sites API 2024-11-01 and later ("Site update strategies in Flex Consumption", Bicep
      // tab), but missing from Bicep's type library for 2025-03-01: the property is sent as written.
      #disable-next-line BCP037
      siteUpdateStrategy: { type: 'RollingUpdate' }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

// No FTP or basic-auth deployment: azd deploys with a Microsoft Entra token.
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
