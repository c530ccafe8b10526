// Application Insights export through the Azure Monitor OpenTelemetry distro, plus the Functions instrumentation
// that tells the host the worker sends its own logs and makes each invocation's trace context active. It hands the
// @azure/functions module itself to the instrumentation, hence its place in the Functions adapter.
// Called from src/main.ts only when APPLICATIONINSIGHTS_CONNECTION_STRING is set; never in tests.
import azureFunctions from '@azure/functions';
// A CommonJS module whose exports Node's ESM loader cannot detect: a named import fails at start-up (found by the
// cold-start bench with APPLICATIONINSIGHTS_CONNECTION_STRING set), so take the class from the module object.
import functionsInstrumentation from '@azure/functions-opentelemetry-instrumentation';
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { exporterAuthOf } from '../../lib/telemetry/exporter-auth.js';

const { AzureFunctionsInstrumentationESM } = functionsInstrumentation;

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
  // ESM: the require hook cannot see our import of @azure/functions, so hand the module over explicitly.
  const instrumentation = new AzureFunctionsInstrumentationESM({ enabled: false });
  instrumentation.registerAzFunc(azureFunctions);
}
