// Follows a request to its end as the service asks pollers to (docs/api.md): GET /api/resets/{id} answers 202 with
// Retry-After while any user is pending and 200 once every user is final. Stops early when `signal` aborts (Ctrl-C).
import type { ApiClient } from './api-client.js';
import type { RequestView } from './api-views.js';

export interface WaitOptions {
  readonly onView: (view: RequestView) => void;
  readonly signal: AbortSignal;
}

export type WaitResult = { readonly kind: 'final'; readonly view: RequestView } | { readonly kind: 'interrupted' };

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export const statusPath = (id: string): string => `/api/resets/${encodeURIComponent(id)}`;

export async function waitForRequest(client: ApiClient, id: string, options: WaitOptions): Promise<WaitResult> {
  for (;;) {
    if (options.signal.aborted) return { kind: 'interrupted' };
    const answer = await client.call<RequestView>('GET', statusPath(id), { what: `read request ${id}` });
    options.onView(answer.body);
    if (answer.status === 200) return { kind: 'final', view: answer.body };
    const retryAfter = Number(answer.headers.get('retry-after') ?? '5');
    const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) : 5;
    await pause(seconds * 1000, options.signal);
  }
}
