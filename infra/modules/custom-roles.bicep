// The two rights no built-in role grants without granting more (docs: "Azure permissions for Storage" and the Storage
// REST page "Authorize with Microsoft Entra ID", section "Permissions for calling data operations"):
// - audit appender: create a blob that does not exist yet and append blocks to it (Put Blob of a new blob and Append
//   Block are both allowed by blobs/add/action), and read. No blobs/write (overwrite), no blobs/delete. Storage Blob
//   Data Contributor would add both.
// - queue message updater: Update Message (queues/messages/write). The Functions queue trigger calls it to release a
//   message whose execution failed (QueueProcessor.ReleaseMessageAsync → UpdateMessageAsync with the visibility
//   timeout) and to extend the visibility of a long-running message (UpdateQueueMessageVisibilityCommand) in the
//   Azure.Storage.Queues WebJobs extension. Storage Queue Data Message Processor grants messages/read and
//   messages/process/action only; Storage Queue Data Contributor would add deleting any message and queues.
// - TAP key unwrapper (the intake, on the TAP key only): Key Vault "Unwrap Key" (keys/unwrap/action) and nothing else.
//   Key Vault Crypto User would add decrypt, sign, encrypt, wrap and reading the key. @azure/keyvault-keys'
//   CryptographyClient first tries Get Key to decide whether it can work locally; on a 403 it falls back to the remote
//   operation (cryptographyClient.ts, fetchKey: "Falling back to remote operation"), and unwrapping with an RSA private
//   key is always remote, so keys/read is not needed.
// - TAP key reader (the deployer, on the TAP key only): Get Key (keys/read: the key's attributes and its public
//   half), so the postprovision hook can give the worker the public key. No cryptographic operation.
// Role names are unique per directory: the resource group's id makes them distinct per deployment.

var suffix = uniqueString(resourceGroup().id)

resource auditAppender 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'mfa-reset-audit-appender')
  properties: {
    roleName: 'mfa-reset audit appender (${suffix})'
    description: 'Read blobs, create new blobs and append blocks to append blobs. Cannot overwrite or delete a blob.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
        ]
        notDataActions: []
      }
    ]
  }
}

resource queueMessageUpdater 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'mfa-reset-queue-message-updater')
  properties: {
    roleName: 'mfa-reset queue message updater (${suffix})'
    description: 'Update the visibility and content of queue messages (Update Message). Cannot add, read or delete them.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/write']
        notDataActions: []
      }
    ]
  }
}

resource tapKeyUnwrapper 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'mfa-reset-tap-key-unwrapper')
  properties: {
    roleName: 'mfa-reset TAP key unwrapper (${suffix})'
    description: 'Unwrap a key with a Key Vault key (Unwrap Key). Cannot read the key or use it for anything else.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: ['Microsoft.KeyVault/vaults/keys/unwrap/action']
        notDataActions: []
      }
    ]
  }
}

resource tapKeyReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'mfa-reset-tap-key-reader')
  properties: {
    roleName: 'mfa-reset TAP key reader (${suffix})'
    description: 'Read a Key Vault key\'s attributes and public half (Get Key). No cryptographic operation.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: ['Microsoft.KeyVault/vaults/keys/read']
        notDataActions: []
      }
    ]
  }
}

// Role assignments name a role definition by its subscription-level id: the GUIDs are returned for that.
output auditAppenderRoleGuid string = auditAppender.name
output queueMessageUpdaterRoleGuid string = queueMessageUpdater.name
output tapKeyUnwrapperRoleGuid string = tapKeyUnwrapper.name
output tapKeyReaderRoleGuid string = tapKeyReader.name
