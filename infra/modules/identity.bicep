// A user-assigned managed identity (one per function app, so the intake and the worker hold different rights).

@description('Location of the resource.')
param location string

@description('Tags applied to the resource.')
param tags object

@description('Identity name.')
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
