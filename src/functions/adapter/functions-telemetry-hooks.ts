// What the Functions OpenTelemetry instrumentation does, with one change: our structured lines become log records
// whose fields are attributes (customDimensions) instead of JSON inside the message (src/lib/telemetry/log-record.ts).
// It tells the host that the worker exports its own logs (so the host does not send them twice), turns every log of
// an invocation into a log record, and runs each handler in the invocation's trace context, so logs, custom events
// and outgoing calls carry the invocation's operation id. The console and the log stream still get the lines as
// written.
import type { app as functionsApp, Disposable, LogLevel } from '@azure/functions';
import { context as otelContext, propagation } from '@opentelemetry/api';
import { logs, SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import { structuredLine } from '../../lib/telemetry/log-record.js';

type FunctionsApp = Pick<typeof functionsApp, 'setup'> & {
  readonly hook: Pick<typeof functionsApp.hook, 'log' | 'preInvocation'>;
};

const severities: Readonly<Record<LogLevel, SeverityNumber>> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  information: SeverityNumber.INFO,
  warning: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  critical: SeverityNumber.FATAL,
  none: SeverityNumber.UNSPECIFIED,
};

/** Registers the hooks; call once, before any function is registered (app.setup must come first). */
export function registerFunctionsTelemetryHooks(
  app: FunctionsApp,
  logger: Logger = logs.getLogger('mfa-reset'),
): Disposable[] {
  app.setup({ capabilities: { WorkerOpenTelemetryEnabled: true } });
  return [
    app.hook.log((log) => {
      const { body, attributes } = structuredLine(log.message);
      logger.emit({
        body,
        attributes,
        severityNumber: severities[log.level] ?? SeverityNumber.UNSPECIFIED,
        severityText: log.level,
      });
    }),
    app.hook.preInvocation((invocation) => {
      const trace = invocation.invocationContext.traceContext;
      if (!trace?.traceParent) return;
      const parent = propagation.extract(otelContext.active(), {
        traceparent: trace.traceParent,
        ...(trace.traceState ? { tracestate: trace.traceState } : {}),
      });
      invocation.functionHandler = otelContext.bind(parent, invocation.functionHandler);
    }),
  ];
}
