/** TLS server and top-level routing: control API, Entra endpoints, managed identity, Graph (with faults, $batch, logging). */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { EmulatorCore } from './emulator-core.js';
import { GRAPH_CONTENT_TYPE, graphError, segmentNotFound } from './errors.js';
import type { FaultKind } from './faults.js';
import { corruptAnswer } from './faults.js';
import type { GraphRequest, GraphResponse, GraphVersion } from './graph-types.js';
import { batch } from './routes/batch.js';
import { control } from './routes/control.js';
import { deviceCodeRoute, jwks, openIdConfiguration, tokenEndpoint } from './routes/entra.js';
import { managedIdentityToken } from './routes/managed-identity.js';

const GRAPH_BODY_LIMIT = 4 * 1024 * 1024;
const CONTROL_BODY_LIMIT = 256 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return; // drain and discard the rest
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function send(res: ServerResponse, r: GraphResponse, contentType: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...extra, ...(r.headers ?? {}) };
  let payload: string | undefined;
  if (r.body !== undefined && r.status !== 204) {
    payload = JSON.stringify(r.body);
    headers['content-type'] = contentType;
    headers['content-length'] = String(Buffer.byteLength(payload));
  } else {
    headers['content-length'] = '0';
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

function decodeSegments(raw: string[]): string[] | undefined {
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

export interface EmulatorServer {
  server: Server;
  /** Set once the port is known. */
  attach(core: EmulatorCore): void;
}

export function createEmulatorServer(tls: { keyPem: string; certPem: string }): EmulatorServer {
  let core: EmulatorCore | undefined;

  const graphRequest = (
    method: string,
    version: GraphVersion,
    rawSegments: string[],
    segments: string[],
    query: URLSearchParams,
    headers: Record<string, string | undefined>,
    raw: string,
    requestId: string,
    inBatch: boolean,
    parsedBody?: unknown,
  ): GraphRequest => {
    let body: unknown = parsedBody;
    let bodyInvalid = false;
    if (parsedBody === undefined && raw.trim()) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        bodyInvalid = true;
      }
    }
    return {
      method,
      version,
      segments,
      rawSegments,
      query,
      headers,
      body,
      bodyInvalid,
      requestId,
      clientRequestId: headers['client-request-id'] ?? requestId,
      inBatch,
    };
  };

  const faultResponse = (c: EmulatorCore, req: GraphRequest, fault: Exclude<FaultKind, 'reset'>): GraphResponse => {
    if (typeof fault === 'string') return corruptAnswer(c.handleGraph(req), req, fault);
    const retry = c.faults.retryAfterHeader();
    if (fault === 403) {
      // The shape of the emulator's own authorization refusal outside /authentication/ (docs/emulator.md).
      return graphError(req, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', {
        injected: true,
      });
    }
    if (fault === 429) {
      return graphError(req, 429, 'TooManyRequests', 'Please retry again later.', { headers: retry, injected: true });
    }
    if (fault === 503) {
      return graphError(req, 503, 'serviceNotAvailable', 'Service is unavailable, please try again later.', {
        headers: retry,
        injected: true,
      });
    }
    return graphError(req, 504, 'gatewayTimeout', 'The service did not respond in time.', { injected: true });
  };

  async function handleGraph(
    c: EmulatorCore,
    req: IncomingMessage,
    res: ServerResponse,
    version: GraphVersion,
    rawSegments: string[],
    url: URL,
    raw: string,
    requestId: string,
  ): Promise<void> {
    const segments = decodeSegments(rawSegments);
    const headers = headersOf(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname + url.search;
    const greq = graphRequest(
      method,
      version,
      rawSegments,
      segments ?? [],
      url.searchParams,
      headers,
      raw,
      requestId,
      false,
    );
    const ids = { 'request-id': requestId, 'client-request-id': greq.clientRequestId };
    const decision = c.faults.decide(method, url.pathname);
    // "Requests to the authentication methods APIs time-out after 60 seconds" (authenticationmethods-overview.md):
    // slower injected latency on those paths ends in 504 at the timeout; the request itself still takes effect, the
    // worst case for a client (the timeout's status and side effects are not documented: our choice).
    const timesOut = url.pathname.includes('/authentication/') && decision.latencyMs >= c.knobs.authMethodsTimeoutMs;
    const wait = timesOut ? c.knobs.authMethodsTimeoutMs : decision.latencyMs;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (timesOut && decision.fault === undefined && segments) {
      c.handleGraph(greq);
      const timedOut = graphError(greq, 504, 'gatewayTimeout', 'The service did not respond in time.');
      c.log.add({ method, path, status: 504, app: c.appOf(greq), requestId });
      send(res, timedOut, GRAPH_CONTENT_TYPE, ids);
      return;
    }
    if (decision.fault === 'reset') {
      c.log.add({ method, path, status: 0, app: c.appOf(greq), requestId });
      req.socket.destroy();
      return;
    }
    let result: GraphResponse;
    if (decision.fault !== undefined) result = faultResponse(c, greq, decision.fault);
    else if (!segments)
      result = graphError(greq, 400, 'BadRequest', 'The request URL is not correctly percent-encoded.');
    else if (segments[0] === '$batch' && segments.length === 1) {
      const auth = c.authenticate(greq);
      if ('status' in auth) result = auth;
      else
        result = batch(
          greq,
          (item) => {
            const u = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'https://batch.invalid');
            const innerRaw = u.pathname
              .split('/')
              .slice(1)
              .filter((s, i, a) => s !== '' || i < a.length - 1);
            return graphRequest(
              item.method,
              version,
              innerRaw,
              decodeSegments(innerRaw) ?? [],
              u.searchParams,
              { ...item.headers, authorization: headers.authorization },
              '',
              randomUUID(),
              true,
              item.body,
            );
          },
          (inner) => {
            const innerPath = `/${version}/${inner.rawSegments.join('/')}`;
            const d = c.faults.decide(inner.method, innerPath);
            const r =
              d.fault !== undefined && d.fault !== 'reset' ? faultResponse(c, inner, d.fault) : c.handleGraph(inner);
            const q = inner.query.toString();
            c.log.add({
              method: inner.method,
              path: innerPath + (q ? `?${q}` : ''),
              status: r.status,
              app: c.appOf(inner),
              requestId: inner.requestId,
              batch: true,
            });
            return { ...r, headers: { 'request-id': inner.requestId, ...(r.headers ?? {}) } };
          },
        );
    } else if (segments.length === 0 || segments[0] === '') {
      result = segmentNotFound(greq, version);
    } else {
      result = c.handleGraph(greq);
    }
    c.log.add({ method, path, status: result.status, app: c.appOf(greq), requestId });
    send(res, result, GRAPH_CONTENT_TYPE, ids);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const c = core;
    if (!c) {
      send(res, { status: 503, body: { error: 'The emulator is starting.' } }, JSON_TYPE);
      return;
    }
    const requestId = randomUUID();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://localhost');
    } catch {
      send(res, { status: 400, body: { error: 'Malformed request URL.' } }, JSON_TYPE);
      return;
    }
    const rawSegments = url.pathname.split('/').slice(1);
    if (rawSegments.length > 1 && rawSegments[rawSegments.length - 1] === '') rawSegments.pop();
    const [first, second] = rawSegments;
    let raw: string;
    try {
      raw = await readBody(req, first === '_emulator' ? CONTROL_BODY_LIMIT : GRAPH_BODY_LIMIT);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        const body =
          first === 'v1.0' || first === 'beta'
            ? graphError(
                { requestId, clientRequestId: requestId },
                413,
                'RequestEntityTooLarge',
                'The request body is too large.',
              )
            : { status: 413, body: { error: 'The request body is too large.' } };
        send(res, body, first === 'v1.0' || first === 'beta' ? GRAPH_CONTENT_TYPE : JSON_TYPE, { connection: 'close' });
      }
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    if (first === 'v1.0' || first === 'beta') {
      await handleGraph(c, req, res, first, rawSegments.slice(1), url, raw, requestId);
      return;
    }
    if (first === '_emulator') {
      const segs = decodeSegments(rawSegments.slice(1)) ?? [];
      send(res, control(c, method, segs, url.searchParams, raw), JSON_TYPE);
      return;
    }
    if (first?.toLowerCase() === 'msi' && second === 'token' && rawSegments.length === 2) {
      send(res, managedIdentityToken(c, method, url.searchParams, headersOf(req)), JSON_TYPE);
      return;
    }
    const rest = rawSegments.slice(1).join('/');
    if (first) {
      if (rest === 'v2.0/.well-known/openid-configuration') return send(res, openIdConfiguration(c, first), JSON_TYPE);
      if (rest === 'discovery/v2.0/keys') return send(res, jwks(c, first), JSON_TYPE);
      if (rest === 'oauth2/v2.0/token') {
        return send(res, tokenEndpoint(c, first, method, raw, req.headers['content-type'] ?? ''), JSON_TYPE);
      }
      if (rest === 'oauth2/v2.0/devicecode') {
        return send(res, deviceCodeRoute(c, first, method, raw, req.headers['content-type'] ?? ''), JSON_TYPE);
      }
    }
    send(res, { status: 404, body: { error: `Nothing is emulated at ${url.pathname}.` } }, JSON_TYPE);
  }

  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error(`graph-emulator request failed error=${String(err)}`);
      send(res, { status: 500, body: { error: 'The emulator failed on this request.' } }, JSON_TYPE);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('tlsClientError', () => undefined);

  return {
    server,
    attach(c: EmulatorCore) {
      core = c;
    },
  };
}
