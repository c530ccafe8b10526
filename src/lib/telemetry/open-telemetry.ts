// Telemetry on the OpenTelemetry APIs. With @azure/monitor-opentelemetry set up (src/main.ts), a log record carrying
// `microsoft.custom_event.name` becomes a customEvents row and counters become customMetrics; both carry the
// invocation's operation id because the functions hooks make the invocation's trace context active. Counters carry
// their unit and description (telemetryMetricInfo).
import { metrics, type Counter } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { telemetryMetricInfo } from './telemetry.js';
import type { Telemetry, TelemetryEventName, TelemetryMetricName, TelemetryProperties } from './telemetry.js';

const scope = 'mfa-reset';

export function createOpenTelemetryTelemetry(): Telemetry {
  const logger = logs.getLogger(scope);
  const meter = metrics.getMeter(scope);
  const counters = new Map<TelemetryMetricName, Counter>();

  return {
    trackEvent(name: TelemetryEventName, properties: TelemetryProperties = {}): void {
      const attributes: Record<string, string | number | boolean> = { 'microsoft.custom_event.name': name };
      for (const [key, value] of Object.entries(properties)) if (value !== undefined) attributes[key] = value;
      logger.emit({ body: name, severityNumber: SeverityNumber.INFO, severityText: 'Information', attributes });
    },
    trackMetric(name: TelemetryMetricName, value: number, dimensions: Readonly<Record<string, string>> = {}): void {
      let counter = counters.get(name);
      if (!counter) {
        counter = meter.createCounter(name, telemetryMetricInfo[name]);
        counters.set(name, counter);
      }
      counter.add(value, dimensions);
    },
  };
}
