// Monitoring Metrics Publisher on the Application Insights component, so the apps can send telemetry with Microsoft
// Entra authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), which is required once local auth is disabled.

import { builtInRoles } from 'role-definitions.bicep'

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Principal (object) ids of the apps\' managed identities (each seeds its role assignment name).')
param principalIds string[]

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource publishers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in principalIds: {
    name: guid(appInsights.id, principalId, builtInRoles.monitoringMetricsPublisher)
    scope: appInsights
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
    }
  }
]
