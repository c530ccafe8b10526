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

// Role assignments name a role definition by its subscription-level id: the GUIDs are returned for that.
output auditAppenderRoleGuid string = auditAppender.name
output queueMessageUpdaterRoleGuid string = queueMessageUpdater.name
