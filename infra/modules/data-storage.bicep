// The data storage account: the work queues (with their poison twins and the dead-letter queue, created up front so
// no identity needs the right to create queues) and the state tables. Shared-key access is off: every caller uses Microsoft Entra ID.

import { storageNetwork } from 'network-rules.bicep'

@description('Location of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Replication of the data account (queues and state).')
param skuName string

@description('Work queues; each gets a "-poison" twin, where the Functions host moves a message after maxDequeueCount failures.')
param queueNames string[]

@description('Where the poison functions park a message they gave up on (src/lib/queue/dead-letter.ts). The host gives a poison queue no poison twin of its own.')
param deadLetterQueueName string

@description('State tables of the service.')
param tableNames string[]

var allQueueNames = concat(flatten(map(queueNames, q => [q, '${q}-poison'])), [deadLetterQueueName])

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
  sku: { name: skuName }
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

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in allQueueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

output id string = account.id
output name string = account.name
output queueServiceUri string = account.properties.primaryEndpoints.queue
output tableServiceUri string = account.properties.primaryEndpoints.table
output queueNames string[] = [for (q, i) in allQueueNames: queues[i].name]
output tableNames string[] = [for (t, i) in tableNames: tables[i].name]
