// A Telemetry that remembers what it was given, for tests and the dev harness's summary.
import type { Telemetry, TelemetryEventName, TelemetryMetricName, TelemetryProperties } from './telemetry.js';

export interface RecordedEvent {
  readonly name: TelemetryEventName;
  readonly properties: TelemetryProperties;
}

export interface RecordedMetric {
  readonly name: TelemetryMetricName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

export class RecordingTelemetry implements Telemetry {
  readonly events: RecordedEvent[] = [];
  readonly metrics: RecordedMetric[] = [];

  trackEvent(name: TelemetryEventName, properties: TelemetryProperties = {}): void {
    this.events.push({ name, properties });
  }

  trackMetric(name: TelemetryMetricName, value: number, dimensions: Readonly<Record<string, string>> = {}): void {
    this.metrics.push({ name, value, dimensions });
  }

  /** Sum of a counter, optionally only where every given dimension matches. */
  total(name: TelemetryMetricName, where: Readonly<Record<string, string>> = {}): number {
    return this.metrics
      .filter((m) => m.name === name && Object.entries(where).every(([k, v]) => m.dimensions[k] === v))
      .reduce((sum, m) => sum + m.value, 0);
  }

  eventsNamed(name: TelemetryEventName): RecordedEvent[] {
    return this.events.filter((e) => e.name === name);
  }
}
