// Serves the registered HTTP functions with the v4 HttpRequest / HttpResponse objects, as the host would.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpFunctionOptions, HttpResponse as HttpResponseType, HttpResponseInit } from '@azure/functions';
import { HttpRequest, HttpResponse, InvocationContext } from './functions-runtime.js';
import { compileRoute, matchRoute, type CompiledRoute } from './http-routes.js';
import type { HarnessLog } from './log.js';
import { invocationLogHandler, traceContextFor } from './log.js';

interface HttpFunction {
  readonly name: string;
  readonly methods: readonly string[];
  readonly route: CompiledRoute;
  readonly options: HttpFunctionOptions;
}

/** The host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT): 100 MB. */
const bodyLimitBytes = 104_857_600;

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > bodyLimitBytes) return 'too_large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function writeResponse(
  res: ServerResponse,
  result: HttpResponseInit | HttpResponseType | undefined,
): Promise<void> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  for (const cookie of response.cookies) {
    res.appendHeader('set-cookie', `${cookie.name}=${cookie.value}${cookie.path ? `; Path=${cookie.path}` : ''}`);
  }
  res.end(body);
}

export async function startHttpServer(
  functions: readonly { name: string; options: HttpFunctionOptions }[],
  options: { port: number; host: string; log: HarnessLog },
): Promise<RunningHttpServer> {
  const table: HttpFunction[] = functions.map(({ name, options: fn }) => ({
    name,
    options: fn,
    methods: (fn.methods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).map((m) => m.toUpperCase()),
    route: compileRoute(fn.route ?? name),
  }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    let fn: HttpFunction | undefined;
    let params: Record<string, string> | undefined;
    for (const candidate of table) {
      params = matchRoute(candidate.route, url.pathname);
      if (params && candidate.methods.includes(method)) {
        fn = candidate;
        break;
      }
    }
    if (!fn || !params) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const body = await readBody(req);
    if (body === 'too_large') {
      res.statusCode = 413;
      res.end();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      params,
      ...(body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body: { bytes: body } } : {}),
    });
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      logHandler: invocationLogHandler(options.log, fn.name, invocationId),
      traceContext: traceContextFor(),
      options: { trigger: { type: 'httpTrigger', name: 'request' } },
    });
    const started = Date.now();
    try {
      const result = (await fn.options.handler(request, context)) as HttpResponseInit | HttpResponseType | undefined;
      await writeResponse(res, result);
    } catch (error) {
      options.log('error', { event: 'http_function_failed', function: fn.name, invocationId, error: String(error) });
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
    options.log('info', {
      event: 'http_request',
      function: fn.name,
      method,
      path: url.pathname,
      status: res.statusCode,
      ms: Date.now() - started,
      invocationId,
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log('error', { event: 'http_server_error', error: String(error) });
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
