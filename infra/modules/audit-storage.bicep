// The audit record (connection MfaAudit): a storage account only the worker can write. The worker appends each audit
// event of a request to the append blob requests/<id>.jsonl in container `audit`, and keeps its own counters (the
// tenant-wide breaker the intake must not touch) in table `workerguard`. The intake gets no role here.
//
// The container carries a time-based retention (WORM) policy at container level, with protected appends allowed on
// append blobs: while a blob is protected it can be read and appended to, never overwritten or deleted, by anyone —
// the worker included (docs: "Container-level WORM policies" and "Configure immutability policies for containers",
// section "Allow protected append writes"; Microsoft.Storage REST reference "Blob Containers - Create Or Update
// Immutability Policy": properties immutabilityPeriodSinceCreationInDays, allowProtectedAppendWrites).
// Locking is an action (POST …/immutabilityPolicies/default/lock with the policy's ETag, "Blob Containers - Lock
// Immutability Policy"), not a property: the postprovision hook (scripts/postprovision.ts) locks it when
// auditImmutabilityLocked is true. A locked policy cannot be written again by a deployment ("Create Or Update" only
// updates unlocked policies; a locked one can only be extended), so once the hook has locked it, it records
// AUDIT_POLICY_LOCKED=true in the azd environment and the next deployments leave the policy alone.
// Version-level immutability (immutableStorageWithVersioning) was not chosen: its account-level policy can only be
// created Disabled or Unlocked as well (locking is again a later step), and it needs blob versioning, which this
// append-only record does not.

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

@description('Replication of the audit account.')
param skuName string

@description('Blob container of the append blobs (AUDIT_CONTAINER).')
param containerName string

@description('Table of the worker\'s own counters.')
param workerGuardTableName string

@description('Days each audit blob stays immutable after it is created.')
@minValue(1)
@maxValue(146000)
param retentionDays int

@description('true: the policy was locked by the postprovision hook; a locked policy cannot be redeployed, so it is left out.')
param policyAlreadyLocked bool

@description('Principal (object) id of the worker\'s managed identity: the only writer.')
param workerPrincipalId string

@description('GUID of the custom role that reads, creates and appends blobs without overwrite or delete (custom-roles.bicep).')
param auditAppenderRoleGuid string

@description('Optional principal (user or group object id) of the operators: read-only access to the audit record. Empty: none.')
param operatorPrincipalId string

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

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

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: containerName
  properties: { publicAccess: 'None' }
}

// allowProtectedAppendWrites (append blobs only) rather than allowProtectedAppendWritesAll (also block blobs): the
// record is append blobs, and the two properties are mutually exclusive.
resource retention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-06-01' = if (!policyAlreadyLocked) {
  parent: container
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: retentionDays
    allowProtectedAppendWrites: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource workerGuardTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = {
  parent: tableService
  name: workerGuardTableName
}

resource workerAppends 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, workerPrincipalId, auditAppenderRoleGuid)
  scope: container
  properties: {
    principalId: workerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', auditAppenderRoleGuid)
  }
}

// On the account, not the table: the worker's store calls Create Table at start (409 for an existing table is fine).
resource workerTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, workerPrincipalId, builtInRoles.storageTableDataContributor)
  scope: account
  properties: {
    principalId: workerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageTableDataContributor)
  }
}

resource operatorReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(container.id, operatorPrincipalId, builtInRoles.storageBlobDataReader)
  scope: container
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataReader)
  }
}

output id string = account.id
output name string = account.name
output blobServiceUri string = account.properties.primaryEndpoints.blob
output tableServiceUri string = account.properties.primaryEndpoints.table
output containerName string = container.name
output tableName string = workerGuardTable.name
