// Our replacement for the Graph client's RetryHandler (chain: AuthenticationHandler → this → HTTPMessageHandler).
// It honours Retry-After on 429/503/504, backs off with jitter on 503/504 and dropped connections, repeats a
// non-idempotent call only after a 429, takes a slot of the process-wide adaptive limiter for each attempt, and when
// Graph asks for a wait longer than the budget it records the wait for the caller (who defers the queue item)
// instead of sleeping. Graph's authentication-method APIs time out after 60 s with a 504 (resources/
// authenticationmethods-overview, v1.0): the time such an attempt took counts against the budget like a sleep, so
// timeouts do not pile up inside one call, and an attempt that gets no answer at all is given up after
// `attemptTimeoutMs` (then treated like a dropped connection). The SDK wraps anything a middleware throws into a GraphError, so results travel back in the
// per-request GraphCallOptions object rather than as exceptions.
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { AdaptiveLimiter } from './adaptive-limiter.js';
import { decideRetry, idempotentMethods, parseRetryAfter, retryAfterDelay } from './retry-policy.js';
import type { WriteBudgetGate } from './write-budget-gate.js';
import { gatesWrites, isWriteMethod } from './write-gate.js';

/** Per-request options in, results out (attach with GraphRequest.middlewareOptions([options])). */
export class GraphCallOptions implements MiddlewareOptions {
  /** Override the method-based default (e.g. true for revokeSignInSessions, a POST that is safe to repeat). */
  readonly idempotent: boolean | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onRequestId: ((id: string) => void) | undefined;
  /** Set when the handler gave up waiting: how long Graph (or the backoff) wanted us to wait. */
  deferMs: number | undefined;
  attempts = 0;
  /** The last transport failure, when the final attempt got no answer. */
  transportError: unknown;
  readonly requestIds: string[] = [];

  constructor(init: { idempotent?: boolean; signal?: AbortSignal; onRequestId?: (id: string) => void } = {}) {
    this.idempotent = init.idempotent;
    this.signal = init.signal;
    this.onRequestId = init.onRequestId;
  }
}

export interface ThrottleRetryOptions {
  readonly limiter: AdaptiveLimiter;
  /**
   * Process-wide memory of a spent write quota, the deadline other instances published and the paced write rate
   * (shared like the limiter); absent: writes are never held back.
   */
  readonly writeGate?: WriteBudgetGate;
  /** Longest total sleep for one call before handing the wait to the caller. */
  readonly maxWaitMs: number;
  readonly maxAttempts?: number;
  /** An attempt with no response headers after this long is abandoned (default 90 s, above Graph's 60 s timeout). */
  readonly attemptTimeoutMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly random?: () => number;
  /** Observer for logs/metrics; gets no personal data (path templates are the caller's business). */
  readonly onRetry?: (event: { status: number | undefined; attempt: number; delayMs: number; method: string }) => void;
}

export class ThrottleRetryHandler implements Middleware {
  private next: Middleware | undefined;
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(private readonly options: ThrottleRetryOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 90_000;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.random = options.random ?? Math.random;
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error('ThrottleRetryHandler has no next middleware');
    const call =
      (context.middlewareControl?.getMiddlewareOptions(GraphCallOptions) as GraphCallOptions | undefined) ??
      new GraphCallOptions();
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const idempotent = call.idempotent ?? idempotentMethods.has(method);
    let waitedMs = 0;

    const write = isWriteMethod(method);
    for (let attempt = 1; ; attempt++) {
      // Graph already said the write quota is spent (to this instance or, through the shared record, another): wait
      // for it here, or hand the wait to the caller, but do not send a write that is certain to be refused (each such
      // 429 would also halve the concurrency limit for everyone). Then wait for this write's slot at the paced rate.
      const gate = write ? this.options.writeGate : undefined;
      if (gate) {
        const gated = await gate.remainingMs();
        if (gated > 0) {
          const delayMs = retryAfterDelay(gated, this.random);
          if (waitedMs + delayMs > this.options.maxWaitMs) {
            call.deferMs = delayMs;
            throw new Error(`Graph's write quota is spent for ${Math.ceil(gated / 1000)} s: deferred without sending`);
          }
          await sleep(delayMs, call.signal);
          waitedMs += delayMs;
        }
        const paceMs = gate.reserveSlot();
        if (waitedMs + paceMs > this.options.maxWaitMs) {
          // The paced rate is so low that this write's slot lies beyond the budget: hand it back like a Retry-After.
          call.deferMs = paceMs;
          throw new Error(`Graph writes are paced: this write's slot is ${Math.ceil(paceMs / 1000)} s away`);
        }
        if (paceMs > 0) {
          await sleep(paceMs, call.signal);
          waitedMs += paceMs;
        }
        // The gate may have closed while this write waited for its slot: look again before sending.
        if (gate.remainingNowMs() > 0) {
          attempt -= 1;
          continue;
        }
      }
      call.attempts = attempt;
      if (attempt > 1) setHeader(context, 'Retry-Attempt', String(attempt - 1));
      const permit = await this.options.limiter.acquire(call.signal);
      let response: Response | undefined;
      const attemptStarted = Date.now();
      const timer = attemptTimer(context, call.signal, this.attemptTimeoutMs);
      let failure: { error: unknown } | undefined;
      try {
        context.response = undefined;
        await next.execute(context);
        response = responseOf(context);
      } catch (error) {
        failure = { error };
      } finally {
        timer.clear();
      }
      if (failure) {
        permit.release();
        if (call.signal?.aborted) throw failure.error;
        call.transportError = timer.timedOut() ? timer.reason : failure.error;
        waitedMs += Date.now() - attemptStarted;
        const verdict = decideRetry(undefined, undefined, this.retryContext(attempt, idempotent, waitedMs));
        if (verdict.kind === 'done') throw failure.error;
        if (verdict.kind === 'defer') {
          call.deferMs = verdict.delayMs;
          throw failure.error;
        }
        this.options.onRetry?.({ status: undefined, attempt, delayMs: verdict.delayMs, method });
        await sleep(verdict.delayMs, call.signal);
        waitedMs += verdict.delayMs;
        continue;
      }
      if (!response) {
        permit.release();
        return;
      }
      // A gateway timeout took as long as a wait: it counts against the budget (Graph's own is 60 s).
      if (response.status === 504) waitedMs += Date.now() - attemptStarted;
      call.transportError = undefined;
      const requestId = response.headers.get('request-id');
      if (requestId) {
        call.requestIds.push(requestId);
        call.onRequestId?.(requestId);
      }
      if (gatesWrites(response.status, method, response.headers)) {
        const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now());
        if (asked !== undefined) this.options.writeGate?.spent(asked);
      }
      if (response.status === 429) permit.throttled();
      else if (response.status >= 500) permit.release();
      else permit.success();

      const verdict = decideRetry(
        response.status,
        response.headers.get('retry-after'),
        this.retryContext(attempt, idempotent, waitedMs),
      );
      if (verdict.kind === 'done') return;
      if (verdict.kind === 'defer') {
        call.deferMs = verdict.delayMs;
        return;
      }
      this.options.onRetry?.({ status: response.status, attempt, delayMs: verdict.delayMs, method });
      await response.body?.cancel().catch(() => undefined);
      await sleep(verdict.delayMs, call.signal);
      waitedMs += verdict.delayMs;
    }
  }

  private retryContext(attempt: number, idempotent: boolean, waitedMs: number) {
    return {
      attempt,
      maxAttempts: this.maxAttempts,
      idempotent,
      waitedMs,
      maxWaitMs: this.options.maxWaitMs,
      nowMs: Date.now(),
      random: this.random,
      baseDelayMs: this.baseDelayMs,
      maxDelayMs: this.maxDelayMs,
    };
  }
}

/**
 * Gives the attempt its own deadline (until the response headers arrive) on top of the caller's signal: the fetch is
 * aborted when either fires, and `timedOut()` tells which one did.
 */
function attemptTimer(context: Context, outer: AbortSignal | undefined, ms: number) {
  const controller = new AbortController();
  const reason = new Error(`no answer from Microsoft Graph within ${ms} ms`);
  const timer = setTimeout(() => controller.abort(reason), ms);
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  (context.options ??= {}).signal = controller.signal;
  return {
    reason,
    timedOut: (): boolean => controller.signal.reason === reason,
    clear: (): void => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

// A function, so that TypeScript does not narrow `context.response` to the undefined assigned before `execute`.
function responseOf(context: Context): Response | undefined {
  return context.response;
}

function setHeader(context: Context, key: string, value: string): void {
  const options = (context.options ??= {});
  const headers = options.headers;
  if (headers instanceof Headers) headers.set(key, value);
  else if (Array.isArray(headers))
    options.headers = [...headers.filter(([k]) => k.toLowerCase() !== key.toLowerCase()), [key, value]];
  else options.headers = { ...(headers ?? {}), [key]: value };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('The operation was aborted');
}
