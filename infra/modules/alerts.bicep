// The alerts docs/operations.md describes, deployed: log search alert rules (Microsoft.Insights/scheduledQueryRules,
// kind LogAlert) on the Application Insights component, each counting the custom events the code emits
// (src/lib/telemetry/telemetry.ts; test/infra/deploy-shape.test.ts checks every name here against it and parses every
// query with the Kusto language service), notifying an action group: an existing one (actionGroupId) and/or one
// created here that e-mails emailAddress. With neither, the alerts still fire in Azure Monitor, notifying nobody.

@description('Location of the alert rules (the component\'s region).')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Resource id of the Application Insights component the queries run against.')
param appInsightsId string

@description('Suffix of the resource names (the deployment\'s resource token).')
param nameSuffix string

@description('Resource id of an existing action group to notify. Empty: none.')
param actionGroupId string

@description('E-mail address of an action group created here. Empty: none is created.')
param emailAddress string

@description('Failed items tolerated per 15 minutes before the items-failed alert fires (0: any failure).')
@minValue(0)
param itemsFailedThreshold int

var events = {
  itemCompleted: 'MfaReset.ItemCompleted'
  itemPoisoned: 'MfaReset.ItemPoisoned'
  batchPoisoned: 'MfaReset.BatchPoisoned'
  callbackFailed: 'MfaReset.CallbackFailed'
  poisonHandlerFailed: 'MfaReset.PoisonHandlerFailed'
  messageDeadLettered: 'MfaReset.MessageDeadLettered'
  itemRefused: 'MfaReset.ItemRefused'
  circuitBreakerOpened: 'MfaReset.CircuitBreakerOpened'
  killSwitchSet: 'MfaReset.KillSwitchSet'
}

// severity: 0 critical … 4 verbose. windowSize and evaluationFrequency are ISO 8601 durations.
var alerts = [
  {
    key: 'poison-messages'
    title: 'mfa-reset: messages reached a poison queue'
    description: 'Work the worker failed maxDequeueCount times: its items (or callback) were ended as failed (code poison_message). Look at the worker\'s errors before the event.'
    severity: 2
    windowSize: 'PT5M'
    threshold: 0
    query: 'customEvents | where name in (\'${events.itemPoisoned}\', \'${events.batchPoisoned}\') or (name == \'${events.callbackFailed}\' and tostring(customDimensions.reason) == \'poison_message\')'
  }
  {
    key: 'poison-queue-not-draining'
    title: 'mfa-reset: a poison function is failing (poison queue not draining)'
    description: 'A poison function threw; the host hands the message out again after its visibility timeout, at most 5 times, then it is dead-lettered. customDimensions.queue names the poison queue.'
    severity: 2
    windowSize: 'PT15M'
    threshold: 0
    query: 'customEvents | where name == \'${events.poisonHandlerFailed}\''
  }
  {
    key: 'dead-lettered'
    title: 'mfa-reset: a message was dead-lettered'
    description: 'A poison function gave up: the message is on queue reset-dead-letters (customDimensions.parked == false: it could not even be parked). Its items may still show pending: see docs/operations.md.'
    severity: 1
    windowSize: 'PT5M'
    threshold: 0
    query: 'customEvents | where name == \'${events.messageDeadLettered}\''
  }
  {
    key: 'items-failed'
    title: 'mfa-reset: items failed'
    description: 'Items ended with outcome failed (customDimensions.errorCode says why).'
    severity: 3
    windowSize: 'PT15M'
    threshold: itemsFailedThreshold
    query: 'customEvents | where name == \'${events.itemCompleted}\' and tostring(customDimensions.outcome) == \'failed\''
  }
  {
    key: 'item-refused'
    title: 'mfa-reset: the worker refused an item (forged work?)'
    description: 'An item was not sealed by the intake or broke the API\'s rules: someone other than the intake wrote work. See docs/security.md.'
    severity: 1
    windowSize: 'PT5M'
    threshold: 0
    query: 'customEvents | where name == \'${events.itemRefused}\''
  }
  {
    key: 'breaker-tripped'
    title: 'mfa-reset: the circuit breaker tripped'
    description: 'Every caller together went over the tenant-wide limit: new submissions are refused until an operator resets the breaker (docs/operations.md).'
    severity: 1
    windowSize: 'PT5M'
    threshold: 0
    query: 'customEvents | where name == \'${events.circuitBreakerOpened}\''
  }
  {
    key: 'kill-switch-changed'
    title: 'mfa-reset: the kill switch was changed'
    description: 'An operator changed the kill switch through the API (customDimensions says to what and who). Changes of the KILL_SWITCH app setting show in the activity log instead.'
    severity: 2
    windowSize: 'PT5M'
    threshold: 0
    query: 'customEvents | where name == \'${events.killSwitchSet}\''
  }
  {
    key: 'guard-unavailable'
    title: 'mfa-reset: the protected-target check was unavailable'
    description: 'Items failed with guard_unavailable: the worker could not read what it must check before writing (a Graph read kept failing or was refused), so nothing was changed for them.'
    severity: 2
    windowSize: 'PT15M'
    threshold: 0
    query: 'customEvents | where name == \'${events.itemCompleted}\' and tostring(customDimensions.errorCode) == \'guard_unavailable\''
  }
  {
    key: 'graph-permission-removed'
    title: 'mfa-reset: Microsoft Graph refused a call (403: a permission was removed?)'
    description: 'Items failed with graph_permission_missing: the worker\'s identity lacks a Graph permission it needs. Rerun the Entra step of docs/deploy.md.'
    severity: 1
    windowSize: 'PT5M'
    threshold: 0
    query: 'customEvents | where name == \'${events.itemCompleted}\' and tostring(customDimensions.errorCode) == \'graph_permission_missing\''
  }
]

resource emailGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(emailAddress)) {
  name: 'ag-mfa-reset-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'mfa-reset'
    enabled: true
    emailReceivers: [{ name: 'operators', emailAddress: emailAddress, useCommonAlertSchema: true }]
  }
}

var actionGroups = concat(empty(actionGroupId) ? [] : [actionGroupId], empty(emailAddress) ? [] : [emailGroup.id])

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for a in alerts: {
    name: 'alert-${a.key}-${nameSuffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: a.title
      description: a.description
      severity: a.severity
      enabled: true
      scopes: [appInsightsId]
      evaluationFrequency: 'PT5M'
      windowSize: a.windowSize
      criteria: {
        allOf: [
          {
            query: a.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: a.threshold
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      // Each occurrence is an incident of its own: no automatic resolution.
      autoMitigate: false
      actions: { actionGroups: actionGroups }
    }
  }
]

output ruleNames string[] = [for (a, i) in alerts: rules[i].name]
output actionGroupIds string[] = actionGroups
