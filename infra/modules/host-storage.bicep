// One function app's own host storage (AzureWebJobsStorage): the Functions host's blobs (locks, keys), its
// diagnostic-events tables, and the Flex Consumption deployment package. No queue service is configured: the host uses
// host-storage queues only for blob triggers, which this service does not have; the work queues are on the data account. Each app has its own account so that neither identity can read the other's keys or replace the other's
// code: the intake's identity must never be able to swap the worker's package (the worker holds Graph permissions).

import { storageNetwork } from 'network-rules.bicep'
import { builtInRoles } from 'role-definitions.bicep'

@description('Location of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Principal (object) id of the app\'s user-assigned identity.')
param principalId string

@description('true: network-isolated variant (private endpoints; public access only from allowedIpRanges).')
param networkIsolated bool

@description('Address ranges (CIDR or single IPv4) allowed from outside the virtual network when isolated.')
param allowedIpRanges string[]

var network = storageNetwork(networkIsolated, allowedIpRanges)

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: network.publicNetworkAccess
    networkAcls: network.networkAcls
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

// The host creates its own containers (azure-webjobs-hosts, azure-webjobs-secrets) and reads the package: Blob Data
// Owner on this account, as the Functions templates do. The account holds nothing but this app's host data.
resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, builtInRoles.storageBlobDataOwner)
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataOwner)
  }
}

// The host writes diagnostic events to tables of its storage (AzureWebJobsStorage__tableServiceUri).
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, builtInRoles.storageTableDataContributor)
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageTableDataContributor)
  }
}

output id string = account.id
output name string = account.name
output blobServiceUri string = account.properties.primaryEndpoints.blob
output tableServiceUri string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
