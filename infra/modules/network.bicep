// The network-isolated variant (main.bicep vnetEnabled): one virtual network with a subnet per function app for its
// outbound traffic (virtual network integration; Flex Consumption needs the subnet delegated to
// Microsoft.App/environments, docs "Azure Functions networking options", section "Subnets") and a subnet for the
// private endpoints of the storage accounts and the Key Vault. Each endpoint registers its name in the private DNS zone
// of its service (docs "Azure Private Endpoint private DNS zone values"), linked to the network, so the apps resolve
// the usual host names to private addresses. Zone names come from the cloud's suffixes (sovereign clouds included).

@description('Location of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Virtual network name.')
param name string

@description('Private endpoints: one per storage service (blob, queue, table) of each account and one for the vault.')
param endpoints { name: string, privateLinkServiceId: string, groupId: 'blob' | 'queue' | 'table' | 'vault' }[]

var storageSuffix = environment().suffixes.storage
// keyvaultDns is '.vault.<cloud suffix>'; the vault's private zone is 'privatelink.vaultcore.<cloud suffix>'.
var vaultSuffix = replace(substring(environment().suffixes.keyvaultDns, 1), 'vault.', 'vaultcore.')
var zoneNames = {
  blob: 'privatelink.blob.${storageSuffix}'
  queue: 'privatelink.queue.${storageSuffix}'
  table: 'privatelink.table.${storageSuffix}'
  vault: 'privatelink.${vaultSuffix}'
}
var zoneKeys = ['blob', 'queue', 'table', 'vault']

resource vnet 'Microsoft.Network/virtualNetworks@2024-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/16'] }
    subnets: [
      {
        name: 'snet-private-endpoints'
        properties: { addressPrefix: '10.40.0.0/24', privateEndpointNetworkPolicies: 'Disabled' }
      }
      {
        name: 'snet-intake'
        properties: {
          addressPrefix: '10.40.1.0/24'
          delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'snet-worker'
        properties: {
          addressPrefix: '10.40.2.0/24'
          delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
    ]
  }

  resource endpointSubnet 'subnets' existing = {
    name: 'snet-private-endpoints'
  }
  resource intakeSubnet 'subnets' existing = {
    name: 'snet-intake'
  }
  resource workerSubnet 'subnets' existing = {
    name: 'snet-worker'
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for key in zoneKeys: {
    name: zoneNames[key]
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (key, i) in zoneKeys: {
    parent: zones[i]
    name: vnet.name
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: { id: vnet.id }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-07-01' = [
  for e in endpoints: {
    name: e.name
    location: location
    tags: tags
    properties: {
      subnet: { id: vnet::endpointSubnet.id }
      privateLinkServiceConnections: [
        {
          name: e.name
          // A resource id from the parameter (each account's or the vault's own `id` output, in main.bicep).
          #disable-next-line use-resource-id-functions
          properties: { privateLinkServiceId: e.privateLinkServiceId, groupIds: [e.groupId] }
        }
      ]
    }
  }
]

resource dnsGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-07-01' = [
  for (e, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        { name: e.groupId, properties: { privateDnsZoneId: zones[indexOf(zoneKeys, e.groupId)].id } }
      ]
    }
  }
]

output intakeSubnetId string = vnet::intakeSubnet.id
output workerSubnetId string = vnet::workerSubnet.id
output zoneNames string[] = [for (key, i) in zoneKeys: zones[i].name]
