// The Key Vault holding the item-seal key (ITEM_SEAL_KEY): the intake seals each item it creates with an HMAC under
// this key and the worker verifies the seal, so a row the intake's API path did not create is refused (security.md).
// The apps never see a vault client: their settings are Key Vault references, resolved by the platform with the app's
// user-assigned identity (keyVaultReferenceIdentity). The secret itself is not created here — a Bicep value would be
// rewritten by every deployment (a newGuid() default rotates the key on each `azd provision`) — but by the
// postprovision hook, once, when it is missing (scripts/postprovision.ts).

import { builtInRoles } from 'role-definitions.bicep'

@description('Location of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Principal (object) ids that read the seal key (both apps\' identities): Key Vault Secrets User.')
param readerPrincipalIds string[]

@description('Principal that may create the seal key (the deployer running the postprovision hook): Key Vault Secrets Officer. Empty: none.')
param officerPrincipalId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

// On the vault: the secrets do not exist when the roles are assigned, and the vault holds only the seal keys.
resource readers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in readerPrincipalIds: {
    name: guid(vault.id, principalId, builtInRoles.keyVaultSecretsUser)
    scope: vault
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsUser)
    }
  }
]

resource officer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(officerPrincipalId)) {
  name: guid(vault.id, officerPrincipalId, builtInRoles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: officerPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsOfficer)
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
