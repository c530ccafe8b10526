// What Application Insights receives: src/functions/adapter/setup-azure-monitor.ts as Azure runs it, exporting to a
// stand-in ingestion endpoint (HTTPS, the emulator's CA), while the real Graph client calls the emulator. Graph calls
// arrive as dependencies whose URL is templated, custom events with their properties, and no envelope anywhere holds
// the user's UPN, object id or method ids.
import { createServer, type Server } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeafCertificate, ensureCaMaterial } from '../../dev/graph-emulator/ca.js';
import { setupAzureMonitor } from '../../src/functions/adapter/setup-azure-monitor.js';
import { createGraphCredential, createGraphPort } from '../../src/lib/graph/index.js';
import { createOpenTelemetryTelemetry, telemetryEvents } from '../../src/lib/telemetry/index.js';
import { engineTenant, everyMethod, upn, user, userId } from '../engine/support/engine-tenant.js';
import { graphEnvFor, startTestEmulator, type TestEmulator } from '../support/emulator.js';

interface Envelope {
  readonly name: string;
  readonly data?: { readonly baseData?: Record<string, unknown> };
}

const envelopes: Envelope[] = [];
let ingestion: Server;
let emu: TestEmulator;

beforeAll(async () => {
  const { keyPem, certPem } = createLeafCertificate(await ensureCaMaterial());
  ingestion = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString();
      const parsed = JSON.parse(text) as Envelope | Envelope[];
      envelopes.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const { port } = ingestion.address() as { port: number };
  process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
  // The distro samples whole traces, at most 5 a second by default: keep every one here, so that nothing the test
  // looks for is dropped on a busy machine (the standard OpenTelemetry setting, also an app setting in Azure).
  process.env.OTEL_TRACES_SAMPLER = 'always_on';
  setupAzureMonitor(
    `InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`,
  );
  emu = await startTestEmulator(engineTenant([user('ada', everyMethod('ada'))]));
  graphEnvFor(emu);
});
afterAll(async () => {
  await emu?.stop();
  ingestion?.close();
});

const named = (suffix: string) => envelopes.filter((e) => e.name.endsWith(suffix));

async function flushUntil(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not received in 30 s; got ${envelopes.map((e) => e.name).join(', ') || 'nothing'}`);
    }
    // The SDK's provider behind the API's proxy (the API type does not declare forceFlush).
    const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as {
      forceFlush?: () => Promise<void>;
    };
    await provider.forceFlush?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Application Insights export', () => {
  it('receives Graph calls as dependencies with templated URLs, and custom events, without identifiers', async () => {
    // In one trace, as in one invocation.
    const calls = async () => {
      const graph = createGraphPort({
        baseUrl: emu.env.GRAPH_BASE_URL,
        credential: createGraphCredential(),
        maxConcurrency: 4,
        maxWaitMs: 5_000,
      });
      expect((await graph.getUser(upn('ada')))?.id).toBe(userId('ada'));
      const methods = await graph.listMethods(userId('ada'));
      const phone = methods.find((m) => m.type === 'phone' && m.id === '3179e48a-750b-4051-897c-87b9720928f7');
      const fido = methods.find((m) => m.type === 'fido2');
      await graph.deleteMethod(userId('ada'), { type: 'fido2', id: fido?.id ?? '' });
      createOpenTelemetryTelemetry().trackEvent(telemetryEvents.itemCompleted, {
        requestId: 'r-1',
        item: 0,
        outcome: 'reset',
      });
      return { phone, fido };
    };
    const { phone, fido } = await trace.getTracer('test').startActiveSpan('invocation', async (span) => {
      try {
        return await calls();
      } finally {
        span.end();
      }
    });

    await flushUntil(
      () => named('RemoteDependency').some((e) => String(e.data?.baseData?.name).startsWith('DELETE ')),
      'the DELETE dependency',
    );
    const dependencies = named('RemoteDependency').map((e) => e.data?.baseData ?? {});
    const data = dependencies.map((d) => String(d.data));
    expect(data).toContain(`${emu.url}/v1.0/users/{id}?$select={value}`);
    expect(data).toContain(`${emu.url}/v1.0/users/{id}/authentication/methods`);
    expect(data).toContain(`${emu.url}/v1.0/users/{id}/authentication/fido2Methods/{id}`);
    const deleted = dependencies.find((d) => String(d.data).endsWith('/fido2Methods/{id}'));
    expect(deleted).toMatchObject({ type: 'Http', resultCode: '204', success: true });
    expect(deleted?.name).toBe('DELETE /v1.0/users/%7Bid%7D/authentication/fido2Methods/%7Bid%7D');

    // Custom events go through the log pipeline: flushed on their own schedule.
    await flushUntil(() => named('Event').length > 0, 'the custom event');
    expect(named('Event')[0]?.data?.baseData).toMatchObject({
      name: 'MfaReset.ItemCompleted',
      properties: { requestId: 'r-1', item: '0', outcome: 'reset' },
    });

    const everything = JSON.stringify(envelopes);
    for (const identifier of [upn('ada'), userId('ada'), phone?.id, fido?.id]) {
      expect(identifier).toBeTruthy();
      expect(everything, identifier).not.toContain(identifier);
    }
  });
});
