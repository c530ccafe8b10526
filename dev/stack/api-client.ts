// A small client for the service's HTTP API as callers use it: a client-credentials token from Entra (or the
// emulator), POST /api/resets, and status polling the way Logic Apps does it (follow Location while 202, wait
// Retry-After between polls).

export interface CallerApp {
  readonly appId: string;
  readonly clientSecret: string;
}

export interface ResetItemView {
  readonly user: string;
  readonly outcome: string;
  readonly methodsRemoved?: readonly { type: string; id: string }[];
  readonly error?: { code: string; message: string };
}

export interface ResetStatusView {
  readonly id: string;
  readonly status: 'awaiting_approval' | 'queued' | 'running' | 'completed';
  readonly counts: Readonly<Record<string, number>>;
  readonly items: readonly ResetItemView[];
}

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export async function clientCredentialsToken(tokenEndpoint: string, app: CallerApp, audience: string): Promise<string> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.appId,
      client_secret: app.clientSecret,
      scope: `api://${audience}/.default`,
    }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(`token request failed (${response.status}): ${body.error_description ?? 'no access_token'}`);
  }
  return body.access_token;
}

async function answer<T>(response: Response): Promise<ApiAnswer<T>> {
  const text = await response.text();
  let body: unknown = text;
  if (/json/.test(response.headers.get('content-type') ?? '') && text) body = JSON.parse(text) as unknown;
  return { status: response.status, headers: response.headers, body: body as T };
}

export async function postResets(
  baseUrl: string,
  token: string | undefined,
  body: unknown,
  /** `path`: another POST route of the API (approve, reject, cancel); default /api/resets. */
  options: { contentType?: string; idempotencyKey?: string; path?: string } = {},
): Promise<ApiAnswer<{ id: string; status: string; items: number } & Record<string, unknown>>> {
  const contentType = options.contentType ?? 'application/json';
  const response = await fetch(`${baseUrl}${options.path ?? '/api/resets'}`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return answer(response);
}

export async function getStatus(url: string, token: string | undefined): Promise<ApiAnswer<ResetStatusView>> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return answer(response);
}

export interface PollOptions {
  /** Called after each 202 with the body (progress). */
  readonly onPending?: (status: ResetStatusView, retryAfterSeconds: number) => void;
  /** Give up after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Upper bound on a single wait (default: Retry-After as given). */
  readonly maxWaitSeconds?: number;
}

/**
 * Polls like the Logic Apps HTTP action's asynchronous pattern: GET the Location; while the answer is 202, wait
 * Retry-After seconds (default 5 s when absent) and GET the Location it gives (or the same one); return the 200 answer.
 */
export async function pollLikeLogicApps(
  location: string,
  token: string,
  options: PollOptions = {},
): Promise<{ final: ApiAnswer<ResetStatusView>; polls: number; waitsSeconds: number[] }> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let url = location;
  let polls = 0;
  const waitsSeconds: number[] = [];
  for (;;) {
    const got = await getStatus(url, token);
    polls += 1;
    if (got.status !== 202) return { final: got, polls, waitsSeconds };
    const retryAfter = Number(got.headers.get('retry-after') ?? '5');
    const wait = Math.min(Number.isFinite(retryAfter) ? retryAfter : 5, options.maxWaitSeconds ?? Infinity);
    options.onPending?.(got.body, wait);
    const next = got.headers.get('location');
    if (next) url = new URL(next, url).toString();
    if (Date.now() + wait * 1000 > deadline)
      throw new Error(`still pending after ${options.timeoutMs ?? 600_000} ms: ${url}`);
    waitsSeconds.push(wait);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}
