// The OpenTelemetry telemetry adapter against the OTel SDK's in-memory exporters (what Azure Monitor's exporter reads):
// custom events as log records named by `microsoft.custom_event.name`, carrying the active trace (the invocation's
// operation id), and counters with their dimensions.
import { context, metrics, trace, TraceFlags } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOpenTelemetryTelemetry,
  telemetryEvents,
  telemetryMetricInfo,
  telemetryMetrics,
} from '../../src/lib/telemetry/index.js';

const logExporter = new InMemoryLogRecordExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new SimpleLogRecordProcessor(logExporter)] }));
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  await meterProvider.shutdown();
});

describe('OpenTelemetry telemetry', () => {
  it('emits a custom event with its properties, correlated with the active trace', () => {
    const telemetry = createOpenTelemetryTelemetry();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const active = trace.setSpanContext(context.active(), {
      traceId,
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(active, () =>
      telemetry.trackEvent(telemetryEvents.itemCompleted, {
        requestId: 'r1',
        item: 3,
        outcome: 'reset',
        errorCode: undefined,
      }),
    );
    const [record] = logExporter.getFinishedLogRecords();
    expect(record?.attributes).toEqual({
      'microsoft.custom_event.name': 'MfaReset.ItemCompleted',
      requestId: 'r1',
      item: 3,
      outcome: 'reset',
    });
    expect(record?.spanContext?.traceId).toBe(traceId);
  });

  it('adds to counters with dimensions, a unit and a description', async () => {
    const telemetry = createOpenTelemetryTelemetry();
    telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: 'reset' });
    telemetry.trackMetric(telemetryMetrics.itemsProcessed, 2, { outcome: 'reset' });
    telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: 'failed' });
    await reader.forceFlush();
    const metric = metricExporter
      .getMetrics()
      .flatMap((m) => m.scopeMetrics)
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'mfa_reset.items.processed');
    const points = Object.fromEntries((metric?.dataPoints ?? []).map((p) => [String(p.attributes.outcome), p.value]));
    expect(points).toEqual({ reset: 3, failed: 1 });
    expect(metric?.descriptor).toMatchObject({ unit: '{item}', description: 'Items finished, by outcome.' });
  });

  it('gives every metric a unit', () => {
    for (const name of Object.values(telemetryMetrics))
      expect(telemetryMetricInfo[name].unit, name).toMatch(/^\{[a-z]+\}$|^(s|ms|By)$/);
  });
});
