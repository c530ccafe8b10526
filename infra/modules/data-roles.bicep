// Data-plane roles on the reset data account (connection MfaData): each side gets what it does, scoped to the queue or
// the table it does it on. The Functions hosts keep their own data in their own host accounts (host-storage.bicep), so
// nothing else writes here.
// - intake: Message Sender on the two work queues and on reset-callbacks (a cancel or a reject that ends a request
//   queues its completion callback; enqueue only: it cannot read, update or delete a message), Table
//   Data Contributor on the account's tables (it writes requests and items and reads its own rows back). Azure RBAC has no
//   table role that inserts without updating: the item seals and the worker-only audit record cover that (security.md).
// - worker: Reader + Message Processor + Message Sender on all six queues, and Update Message (custom role, see
//   custom-roles.bicep) so the queue trigger can release a failed message; Message Sender alone on the dead-letter
//   queue (reset-dead-letters); Table Data Contributor on the tables.
// Table roles sit on the account, not on the table: both apps' stores call Create Table at start (an existing table
// answers 409, which they accept), and the state table is the only table this account holds.
// No identity gets Storage Queue Data Contributor: being able to delete work messages or queues would let it drop
// work silently. Role assignment names are seeded by principal id, so a recreated identity gets new assignments.

import { builtInRoles } from 'role-definitions.bicep'

@description('Name of the data storage account.')
param dataAccountName string

@description('Work queue receiving bulk chunks (fan-out input).')
param batchesQueueName string

@description('Work queue receiving one message per user.')
param itemsQueueName string

@description('Queue of completion callbacks to deliver (one message per final request with a callbackUrl).')
param callbacksQueueName string

@description('Queue of messages the poison functions gave up on: the worker may only send to it.')
param deadLetterQueueName string

@description('Principal (object) id of the intake\'s managed identity.')
param intakePrincipalId string

@description('Principal (object) id of the worker\'s managed identity.')
param workerPrincipalId string

@description('GUID of the custom role that grants Update Message (custom-roles.bicep).')
param queueMessageUpdaterRoleGuid string

@description('Optional principal (user or group object id) of the operators: read-only access to queues and tables. Empty: none.')
param operatorPrincipalId string

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

var workQueues = [batchesQueueName, itemsQueueName, callbacksQueueName]
var poisonQueues = map(workQueues, q => '${q}-poison')
var allQueues = concat(workQueues, poisonQueues, [deadLetterQueueName])

// Each grant: one role for one principal on one queue (index into allQueues).
var intakeGrants = [
  for q in workQueues: { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataMessageSender, principal: intakePrincipalId, type: 'ServicePrincipal' }
]
// The worker triggers on all six queues (the poison functions mark items failed), sends on the work queues
// (fan-out, deferring an item), the host sends to the poison queues when a message exhausts its dequeue count and
// updates a message's visibility when an execution fails.
var workerGrants = concat(flatten(map(concat(workQueues, poisonQueues), q => [
  { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataReader, principal: workerPrincipalId, type: 'ServicePrincipal' }
  { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataMessageProcessor, principal: workerPrincipalId, type: 'ServicePrincipal' }
  { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataMessageSender, principal: workerPrincipalId, type: 'ServicePrincipal' }
  { queue: indexOf(allQueues, q), role: queueMessageUpdaterRoleGuid, principal: workerPrincipalId, type: 'ServicePrincipal' }
])), [
  // The dead-letter queue: send only (nothing of this service reads it back; operators do).
  { queue: indexOf(allQueues, deadLetterQueueName), role: builtInRoles.storageQueueDataMessageSender, principal: workerPrincipalId, type: 'ServicePrincipal' }
])
var operatorGrants = empty(operatorPrincipalId)
  ? []
  : map(allQueues, q => { queue: indexOf(allQueues, q), role: builtInRoles.storageQueueDataReader, principal: operatorPrincipalId, type: operatorPrincipalType })
var queueGrants = concat(intakeGrants, workerGrants, operatorGrants)

var tableGrants = concat(
  [
    { role: builtInRoles.storageTableDataContributor, principal: intakePrincipalId, type: 'ServicePrincipal' }
    { role: builtInRoles.storageTableDataContributor, principal: workerPrincipalId, type: 'ServicePrincipal' }
  ],
  empty(operatorPrincipalId) ? [] : [{ role: builtInRoles.storageTableDataReader, principal: operatorPrincipalId, type: operatorPrincipalType }]
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
    name: guid(queues[g.queue].id, g.principal, g.role)
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
    name: guid(account.id, g.principal, g.role)
    scope: account
    properties: {
      principalId: g.principal
      principalType: g.type
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.role)
    }
  }
]
