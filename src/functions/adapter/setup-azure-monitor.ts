// Application Insights export through the Azure Monitor OpenTelemetry distro, plus the Functions hooks
// that tell the host the worker sends its own logs and make each invocation's trace context active. It hands the
// @azure/functions module itself to the hooks, hence its place in the Functions adapter.
// Called from src/main.ts only when APPLICATIONINSIGHTS_CONNECTION_STRING is set; never in tests.
import azureFunctions from '@azure/functions';
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { graphPathWords } from '../../lib/graph/graph-path-words.js';
import { exporterAuthOf } from '../../lib/telemetry/exporter-auth.js';
import { createOutgoingFetchInstrumentation } from '../../lib/telemetry/outgoing-fetch.js';
import { wordSet } from '../../lib/telemetry/url-template.js';
import { registerFunctionsTelemetryHooks } from './functions-telemetry-hooks.js';

/**
 * `authenticationString` is APPLICATIONINSIGHTS_AUTHENTICATION_STRING: with Authorization=AAD the exporter sends a
 * token of the app's managed identity (the component accepts nothing else once local auth is off).
 */
export function setupAzureMonitor(connectionString: string, authenticationString?: string): void {
  const auth = exporterAuthOf(authenticationString);
  const credential =
    auth.kind === 'managed_identity'
      ? auth.clientId
        ? new ManagedIdentityCredential({ clientId: auth.clientId })
        : new ManagedIdentityCredential()
      : undefined;
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) } });
  // After useAzureMonitor, which registers the global providers they take. Graph calls become dependencies.
  createOutgoingFetchInstrumentation(wordSet(graphPathWords));
  registerFunctionsTelemetryHooks(azureFunctions.app);
}
