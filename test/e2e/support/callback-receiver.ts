// A local HTTPS receiver for completion callbacks, playing a Logic App's callback endpoint or a ServiceNow Scripted
// REST API. Its certificate comes from the emulator's CA, which the test processes trust (NODE_EXTRA_CA_CERTS), so the
// service calls it over verified TLS as it would call a real receiver. Each path answers with a script of statuses.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLeafCertificate, ensureCaMaterial } from '../../../dev/graph-emulator/ca.js';

export interface ReceivedCall {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The status this receiver answered. */
  readonly answered: number;
}

export interface CallbackReceiver {
  /** `https://localhost:<port>` */
  readonly origin: string;
  /** Answers calls to `path` with these statuses in turn; the last one repeats (default 200). */
  script(path: string, statuses: readonly number[]): void;
  calls(path?: string): readonly ReceivedCall[];
  stop(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const { keyPem, certPem } = createLeafCertificate(await ensureCaMaterial());
  const scripts = new Map<string, number[]>();
  const received: ReceivedCall[] = [];
  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const script = scripts.get(url.pathname) ?? [200];
      const status = script.length > 1 ? (script.shift() ?? 200) : (script[0] ?? 200);
      received.push({
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered: status,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://localhost:${port}`,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    calls: (path) => received.filter((c) => path === undefined || c.path === path),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
