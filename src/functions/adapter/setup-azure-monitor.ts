// Application Insights export through the Azure Monitor OpenTelemetry distro, plus the Functions hooks
// that tell the host the worker sends its own logs and make each invocation's trace context active. It hands the
// @azure/functions module itself to the hooks, hence its place in the Functions adapter.
// Called from src/main.ts only when APPLICATIONINSIGHTS_CONNECTION_STRING is set; never in tests.
import azureFunctions from '@azure/functions';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { graphPathWords } from '../../lib/graph/graph-path-words.js';
import { createOutgoingFetchInstrumentation } from '../../lib/telemetry/outgoing-fetch.js';
import { wordSet } from '../../lib/telemetry/url-template.js';
import { registerFunctionsTelemetryHooks } from './functions-telemetry-hooks.js';

export function setupAzureMonitor(connectionString: string): void {
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString } });
  // After useAzureMonitor, which registers the global providers they take. Graph calls become dependencies.
  createOutgoingFetchInstrumentation(wordSet(graphPathWords));
  registerFunctionsTelemetryHooks(azureFunctions.app);
}
