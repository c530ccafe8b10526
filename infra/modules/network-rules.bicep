// Public network access of the storage accounts and the Key Vault. Open (the default deployment): reachable from
// anywhere, Microsoft Entra ID only (shared keys are off). Network-isolated (vnetEnabled): reached through private
// endpoints from the apps' virtual network; from outside only from the listed address ranges (an operator's or the
// deployer's: the postprovision hook writes Key Vault secrets from where azd runs), and not at all when none is listed.

@export()
@description('publicNetworkAccess and networkAcls of a storage account.')
func storageNetwork(isolated bool, allowedIpRanges string[]) object => {
  publicNetworkAccess: !isolated || !empty(allowedIpRanges) ? 'Enabled' : 'Disabled'
  networkAcls: {
    defaultAction: isolated ? 'Deny' : 'Allow'
    bypass: 'AzureServices'
    ipRules: isolated ? map(allowedIpRanges, range => { value: range, action: 'Allow' }) : []
  }
}

@export()
@description('publicNetworkAccess and networkAcls of a Key Vault.')
func vaultNetwork(isolated bool, allowedIpRanges string[]) object => {
  publicNetworkAccess: !isolated || !empty(allowedIpRanges) ? 'Enabled' : 'Disabled'
  networkAcls: {
    defaultAction: isolated ? 'Deny' : 'Allow'
    bypass: 'AzureServices'
    ipRules: isolated ? map(allowedIpRanges, range => { value: range }) : []
  }
}
