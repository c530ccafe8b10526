// The Functions telemetry hooks as the worker drives them: a queue function's structured log line and an HTTP
// function's `event=… key=value` line become log records whose fields are attributes (customDimensions), in the
// invocation's trace (the host's traceparent); a free-text line stays as it is. The worker is simulated the way it
// behaves: context.log calls the log hooks synchronously, and the preInvocation hooks may wrap the handler.
import { format } from 'node:util';
import azureFunctions, { type FunctionHandler, type LogHookHandler, type PreInvocationHandler } from '@azure/functions';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { queueFunction } from '../../src/functions/adapter/queue-function.js';
import { registerFunctionsTelemetryHooks } from '../../src/functions/adapter/functions-telemetry-hooks.js';
import { parseItemMessage } from '../../src/lib/queue/index.js';
import { RecordingTelemetry } from '../../src/lib/telemetry/index.js';

const { InvocationContext, LogHookContext, PreInvocationContext, Disposable } = azureFunctions;

const exporter = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] });
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceParent = `00-${traceId}-00f067aa0ba902b7-01`;

const hooks: { log?: LogHookHandler; preInvocation?: PreInvocationHandler; setup?: unknown } = {};
const fakeApp = {
  setup: (options: unknown) => void (hooks.setup = options),
  hook: {
    log: (handler: LogHookHandler) => ((hooks.log = handler), new Disposable(() => undefined)),
    preInvocation: (handler: PreInvocationHandler) => (
      (hooks.preInvocation = handler),
      new Disposable(() => undefined)
    ),
  },
} as unknown as Parameters<typeof registerFunctionsTelemetryHooks>[0]; // only the three members the hooks use

/** Runs a handler as the worker would: preInvocation hooks first, context.log through the log hooks. */
async function invoke(handler: FunctionHandler, input: unknown): Promise<void> {
  const invocationContext: InstanceType<typeof InvocationContext> = new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'reset-items',
    traceContext: { traceParent, traceState: undefined, attributes: {} },
    logHandler: (level, ...args) =>
      hooks.log?.(new LogHookContext({ level, category: 'user', message: format(...args), invocationContext })),
  });
  const pre = new PreInvocationContext({ invocationContext, inputs: [input], functionCallback: handler });
  await hooks.preInvocation?.(pre);
  await pre.functionHandler(input, invocationContext);
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  registerFunctionsTelemetryHooks(fakeApp, provider.getLogger('mfa-reset'));
});

describe('Functions telemetry hooks', () => {
  it('tells the host that the worker exports its own logs', () => {
    expect(hooks.setup).toEqual({ capabilities: { WorkerOpenTelemetryEnabled: true } });
  });

  it('turns log lines into records with attributes, in the invocation trace', async () => {
    exporter.reset();
    const telemetry = new RecordingTelemetry();
    const queueHandler = queueFunction({ queueName: 'reset-items', telemetry }, parseItemMessage, async () => {});
    await invoke(queueHandler as FunctionHandler, { v: 1, requestId: 'not a request' });
    await invoke(
      ((_input: unknown, ctx: InstanceType<typeof InvocationContext>) => {
        ctx.info('event=reset_request_created requestId=r-7 items=3 source=csv app=app-1');
        ctx.warn('event=enqueue_deferred requestId=r-7 items=3 error="queue busy: retry"');
        ctx.error('resets-submit failed: TypeError: x is not a function');
        // The handler runs in the host's trace (the traceparent the preInvocation hook extracted).
        expect(trace.getSpanContext(context.active())?.traceId).toBe(traceId);
      }) as FunctionHandler,
      {},
    );

    const records = exporter.getFinishedLogRecords();
    expect(records.map((r) => ({ body: r.body, severity: r.severityText, attributes: r.attributes }))).toEqual([
      {
        body: 'invalid_message',
        severity: 'error',
        attributes: { event: 'invalid_message', queue: 'reset-items', problem: expect.any(String) as string },
      },
      {
        body: 'reset_request_created',
        severity: 'information',
        attributes: { event: 'reset_request_created', requestId: 'r-7', items: '3', source: 'csv', app: 'app-1' },
      },
      {
        body: 'enqueue_deferred',
        severity: 'warning',
        attributes: { event: 'enqueue_deferred', requestId: 'r-7', items: '3', error: 'queue busy: retry' },
      },
      { body: 'resets-submit failed: TypeError: x is not a function', severity: 'error', attributes: {} },
    ]);
    expect(records.every((r) => r.spanContext?.traceId === traceId)).toBe(true);
  });
});
