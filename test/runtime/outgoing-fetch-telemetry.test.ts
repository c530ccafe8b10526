// Graph calls as dependencies: the real Graph client (through the Graph port) against the emulator, with the fetch
// instrumentation feeding the OTel SDK's in-memory exporters (what Azure Monitor's exporter reads). Every call is a
// client span whose URL is templated: the UPN, the user's object id, method ids and query values appear in no span.
import { SpanKind } from '@opentelemetry/api';
import type { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphCredential, createGraphPort, graphPathWords } from '../../src/lib/graph/index.js';
import type { GraphPortWithStats } from '../../src/lib/graph/index.js';
import { createOutgoingFetchInstrumentation } from '../../src/lib/telemetry/outgoing-fetch.js';
import { wordSet } from '../../src/lib/telemetry/url-template.js';
import { engineTenant, everyMethod, upn, user, userId } from '../engine/support/engine-tenant.js';
import { graphEnvFor, startTestEmulator, type TestEmulator } from '../support/emulator.js';

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

let emu: TestEmulator;
let graph: GraphPortWithStats;
let instrumentation: UndiciInstrumentation;
/** Every identifier of the user the calls touch: none may reach telemetry. */
const identifiers: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator(engineTenant([user('ada', everyMethod('ada'))]));
  graphEnvFor(emu);
  graph = createGraphPort({
    baseUrl: emu.env.GRAPH_BASE_URL,
    credential: createGraphCredential(),
    maxConcurrency: 4,
    maxWaitMs: 5_000,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
  instrumentation = createOutgoingFetchInstrumentation(wordSet(graphPathWords));
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
});
afterAll(async () => {
  instrumentation?.disable();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
  await emu?.stop();
});

describe('outgoing fetch telemetry', () => {
  it('records every Graph call of a reset as a client span with a templated URL and no identifier', async () => {
    const ada = await graph.getUser(upn('ada'));
    expect(ada?.id).toBe(userId('ada'));
    const methods = await graph.listMethods(userId('ada'));
    await graph.listHardwareOathMethods(userId('ada'));
    await graph.readUserPrivilege(userId('ada'));
    // Graph's own rules may refuse some deletes (the mobile number before the alternate one): a refused call is a
    // dependency too, which is all this test is about.
    const outcomes = await Promise.all(
      methods.flatMap(({ type, id }) =>
        type && type !== 'password' ? [graph.deleteMethod(userId('ada'), { type, id }).catch(() => 'refused')] : [],
      ),
    );
    expect(outcomes).toContain('deleted');
    await graph.revokeSignInSessions(userId('ada'));
    identifiers.push(upn('ada'), encodeURIComponent(upn('ada')), userId('ada'), ...methods.map((m) => m.id));

    const finished = spans.getFinishedSpans();
    const graphSpans = finished.filter((s) => String(s.attributes['url.full']).startsWith(emu.url));
    // One span per Graph request the emulator answered (paging and the token endpoint aside, which are not Graph).
    const answered = await emu
      .requests({ path: '/v1.0/' })
      .then(async (v1) => v1.length + (await emu.requests({ path: '/beta/' })).length);
    expect(graphSpans.length).toBe(answered);
    expect(graphSpans.every((s) => s.kind === SpanKind.CLIENT)).toBe(true);

    const calls = new Set(graphSpans.map((s) => s.name));
    expect(calls).toContain('GET /v1.0/users/{id}');
    expect(calls).toContain('GET /v1.0/users/{id}/authentication/methods');
    expect(calls).toContain('GET /beta/users/{id}/authentication/hardwareOathMethods');
    expect(calls).toContain('DELETE /v1.0/users/{id}/authentication/phoneMethods/{id}');
    expect(calls).toContain('DELETE /v1.0/users/{id}/authentication/externalAuthenticationMethods/{id}/$ref');
    expect(calls).toContain('DELETE /beta/users/{id}/authentication/qrCodePinMethod');
    expect(calls).toContain('GET /v1.0/roleManagement/directory/roleAssignments');
    expect(calls).toContain('POST /v1.0/users/{id}/revokeSignInSessions');

    const lookup = graphSpans.find((s) => s.name === 'GET /v1.0/users/{id}');
    expect(lookup?.attributes).toMatchObject({
      'url.full': `${emu.url}/v1.0/users/{id}?$select={value}`,
      'url.path': '/v1.0/users/{id}',
      'url.template': '/v1.0/users/{id}',
      'url.query': '?$select={value}',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    });
    const filtered = graphSpans.find((s) => s.name === 'GET /v1.0/roleManagement/directory/roleAssignments');
    expect(filtered?.attributes['url.query']).toMatch(/^\?(\$[a-z]+=\{value\}&?)+$/);

    const exported = JSON.stringify(
      finished.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    for (const identifier of identifiers) expect(exported, identifier).not.toContain(identifier);
    expect(exported).not.toMatch(/principalId|eq%20|%40/);
  });

  it('records the request duration in seconds, without the URL', async () => {
    await reader.forceFlush();
    const metric = metricExporter
      .getMetrics()
      .flatMap((m) => m.scopeMetrics)
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'http.client.request.duration');
    expect(metric?.descriptor.unit).toBe('s');
    const exported = JSON.stringify(metric?.dataPoints.map((p) => p.attributes));
    expect(exported).toContain('"http.request.method":"DELETE"');
    for (const identifier of identifiers) expect(exported, identifier).not.toContain(identifier);
    expect(exported).not.toMatch(/url\.(full|path|query|template)/);
  });
});
