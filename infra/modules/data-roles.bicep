// Data-plane roles on the data account, scoped as tightly as the Functions host allows:
// - queue roles on each queue, not on the account;
// - table roles on the account, because the host also writes its diagnostic-events tables there.
// No identity gets Storage Queue Data Contributor: being able to edit or delete work messages would be the same as
// calling the API without authentication (security.md §2.5).

import { builtInRoles } from 'role-definitions.bicep'

@description('Name of the data storage account.')
param dataAccountName string

@description('Work queue receiving bulk chunks (fan-out input).')
param batchesQueueName string

@description('Work queue receiving one message per user.')
param itemsQueueName string

@description('The intake\'s managed identity: name (seeds role assignment names) and principal (object) id.')
param intake { name: string, principalId: string }

@description('The worker\'s managed identity: name (seeds role assignment names) and principal (object) id.')
param worker { name: string, principalId: string }

@description('Optional principal (user or group object id) of the operators: read-only access to queues and tables. Empty: none.')
param operatorPrincipalId string

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

var workQueues = [batchesQueueName, itemsQueueName]
var poisonQueues = map(workQueues, q => '${q}-poison')
var allQueues = concat(workQueues, poisonQueues)

// Each grant: one role for one principal on one queue (index into allQueues).
var intakeGrants = [
  for q in workQueues: { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataMessageSender, key: intake.name, principal: intake.principalId, type: 'ServicePrincipal' }
]
// The worker triggers on all four queues (the poison functions mark items failed), sends on the work queues
// (fan-out, deferring an item) and the host sends to the poison queues when a message exhausts its dequeue count.
var workerGrants = flatten(map(allQueues, q => [
  { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataReader, key: worker.name, principal: worker.principalId, type: 'ServicePrincipal' }
  { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataMessageProcessor, key: worker.name, principal: worker.principalId, type: 'ServicePrincipal' }
  { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataMessageSender, key: worker.name, principal: worker.principalId, type: 'ServicePrincipal' }
]))
var operatorGrants = empty(operatorPrincipalId)
  ? []
  : map(allQueues, q => { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataReader, key: operatorPrincipalId, principal: operatorPrincipalId, type: operatorPrincipalType })
var queueGrants = concat(intakeGrants, workerGrants, operatorGrants)

var tableGrants = concat(
  [
    { role: builtInRoles.storageTableDataContributor, key: intake.name, principal: intake.principalId, type: 'ServicePrincipal' }
    { role: builtInRoles.storageTableDataContributor, key: worker.name, principal: worker.principalId, type: 'ServicePrincipal' }
  ],
  empty(operatorPrincipalId) ? [] : [{ role: builtInRoles.storageTableDataReader, key: operatorPrincipalId, principal: operatorPrincipalId, type: operatorPrincipalType }]
)

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: dataAccountName

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' existing = [
  for q in allQueues: {
    parent: account::queueService
    name: q
  }
]

resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for g in queueGrants: {
    name: guid(queues[g.queue].id, g.key, g.role)
    scope: queues[g.queue]
    properties: {
      principalId: g.principal
      principalType: g.type
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.role)
    }
  }
]

resource tableRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for g in tableGrants: {
    name: guid(account.id, g.key, g.role)
    scope: account
    properties: {
      principalId: g.principal
      principalType: g.type
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.role)
    }
  }
]
