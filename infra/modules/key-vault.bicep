// The Key Vault holding the item-seal key (ITEM_SEAL_KEY): the intake seals each item it creates with an HMAC under
// this key and the worker verifies the seal, so a row the intake's API path did not create is refused (security.md).
// The apps never see a vault client: their settings are Key Vault references, resolved by the platform with the app's
// user-assigned identity (keyVaultReferenceIdentity). The secret itself is not created here — a Bicep value would be
// rewritten by every deployment (a newGuid() default rotates the key on each `azd provision`) — but by the
// postprovision hook, once, when it is missing (scripts/postprovision.ts).
// It also holds the Temporary Access Pass key: an RSA key whose private half never leaves the vault. The worker seals
// each pass with its public half (TAP_PUBLIC_KEY, given to the worker by the postprovision hook: Bicep cannot read key
// material); only the intake may unwrap with it (TAP_KEY_ID, src/lib/tap/tap-unwrappers.ts).

import { vaultNetwork } from 'network-rules.bicep'
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

@description('Name of the Temporary Access Pass key (RSA 3072, wrapKey/unwrapKey).')
param tapKeyName string

@description('Principal (object) id that may unwrap with the TAP key: the intake\'s identity, and no one else.')
param tapUnwrapperPrincipalId string

@description('GUID of the custom role that grants Unwrap Key only (custom-roles.bicep).')
param tapKeyUnwrapperRoleGuid string

@description('GUID of the custom role that grants Get Key only (custom-roles.bicep), given to officerPrincipalId on the TAP key so the hook can read its public half.')
param tapKeyReaderRoleGuid string

@description('true: network-isolated variant (a private endpoint; public access only from allowedIpRanges, e.g. where the postprovision hook runs).')
param networkIsolated bool

@description('Address ranges (CIDR or single IPv4) allowed from outside the virtual network when isolated.')
param allowedIpRanges string[]

var network = vaultNetwork(networkIsolated, allowedIpRanges)

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
    publicNetworkAccess: network.publicNetworkAccess
    networkAcls: network.networkAcls
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

// The TAP key. Resource Manager's PUT of a vault key is "create if not exist" (REST reference, Microsoft.KeyVault
// management plane, "Keys - Create If Not Exist": it creates the first version of a key that does not exist; for one
// that exists it returns it without writing, never adds a version and never updates it). So a redeployment neither
// rotates the key nor changes its properties: passes sealed before it still open. (Template reference:
// "Microsoft.KeyVault vaults/keys".) Software-protected RSA in a standard vault; 3072 bits.
resource tapKey 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: tapKeyName
  tags: tags
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: ['wrapKey', 'unwrapKey']
    attributes: { enabled: true }
  }
}

// On the key, not the vault: the intake can unwrap with this key and no other, and cannot read it.
resource tapUnwrapper 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(tapKey.id, tapUnwrapperPrincipalId, tapKeyUnwrapperRoleGuid)
  scope: tapKey
  properties: {
    principalId: tapUnwrapperPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tapKeyUnwrapperRoleGuid)
  }
}

// The deployer reads the key's public half in the postprovision hook (Get Key); it cannot unwrap.
resource tapKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(officerPrincipalId)) {
  name: guid(tapKey.id, officerPrincipalId, tapKeyReaderRoleGuid)
  scope: tapKey
  properties: {
    principalId: officerPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tapKeyReaderRoleGuid)
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
output tapKeyName string = tapKey.name
// The key's URL without a version (https://<vault>/keys/<name>): Key Vault uses its current version.
output tapKeyUri string = tapKey.properties.keyUri
