// Entry point the Functions host loads (package.json "main"): telemetry first, then the one start-up path
// (configuration → dependencies → functions, src/app/start-app.ts). Registration happens at module top level
// (top-level await), before the host starts invoking.
import { app } from '@azure/functions';
import { startApp } from './app/start-app.js';

const appInsights = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
if (appInsights) {
  // Loaded only when needed: the distro is large and must be set up before the first invocation.
  const { setupAzureMonitor } = await import('./functions/adapter/setup-azure-monitor.js');
  setupAzureMonitor(appInsights, process.env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
}

// A bad or missing setting throws here with one message naming every bad key; the host logs it and stops.
await startApp(app);
