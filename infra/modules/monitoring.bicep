// Log Analytics workspace and a workspace-based Application Insights component shared by both function apps.

@description('Location of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Days the workspace keeps logs. Audit records are not kept here (they live in the state store).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('true: only Microsoft Entra authenticated telemetry is accepted. The apps\' exporter authenticates with their managed identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING, src/lib/telemetry/exporter-auth.ts), each holding Monitoring Metrics Publisher here (telemetry-roles.bicep).')
param disableLocalAuth bool

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
    features: { enableLogAccessUsingOnlyResourcePermissions: true }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: disableLocalAuth
  }
}

output appInsightsId string = appInsights.id
output appInsightsName string = appInsights.name
output appInsightsConnectionString string = appInsights.properties.ConnectionString
output workspaceName string = workspace.name
