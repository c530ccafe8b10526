export * from './telemetry.js';
export { createOpenTelemetryTelemetry } from './open-telemetry.js';
export { RecordingTelemetry, type RecordedEvent, type RecordedMetric } from './recording-telemetry.js';
export { exporterAuthOf, type ExporterAuth } from './exporter-auth.js';
