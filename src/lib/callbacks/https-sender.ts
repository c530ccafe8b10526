// The POST of a completion callback, with node:https: no redirect is followed (a 3xx is an answer like any other, so
// an allowed host cannot bounce the call into the network), a hard timeout, and the answer's body read and dropped.
import { request } from 'node:https';

export interface CallbackAnswer {
  /** The receiver's status code; absent when it did not answer (timeout, refused connection, TLS failure). */
  readonly status?: number;
  /** Why there was no answer: an error code, never the URL. */
  readonly error?: string;
}

export interface CallbackSender {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<CallbackAnswer>;
}

export function createHttpsSender(options: { readonly timeoutMs?: number } = {}): CallbackSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    post: (url, body, headers) =>
      new Promise<CallbackAnswer>((resolve) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: {
              ...headers,
              'content-type': 'application/json; charset=utf-8',
              'content-length': String(Buffer.byteLength(body, 'utf8')),
            },
            timeout: timeoutMs,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
            res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e: NodeJS.ErrnoException) =>
          resolve({ error: e.message === 'timeout' ? 'timeout' : (e.code ?? 'network_error') }),
        );
        req.end(body, 'utf8');
      }),
  };
}
