export * from './telemetry.js';
export { createOpenTelemetryTelemetry } from './open-telemetry.js';
export { RecordingTelemetry, type RecordedEvent, type RecordedMetric } from './recording-telemetry.js';
