// Entry point the Functions host loads (package.json "main"): telemetry first, then configuration, then functions.
// Registration happens at module top level (top-level await), before the host starts invoking.
import { app } from '@azure/functions';
import { compose } from './app/compose.js';
import { registerFunctions } from './app/register-functions.js';
import { loadConfig } from './lib/config/index.js';

const appInsights = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
if (appInsights) {
  // Loaded only when needed: the distro is large and must be set up before the first invocation.
  const { setupAzureMonitor } = await import('./lib/telemetry/setup-azure-monitor.js');
  setupAzureMonitor(appInsights);
}

// A bad or missing setting throws here with one message naming every bad key; the host logs it and stops.
registerFunctions(app, await compose(loadConfig()));
