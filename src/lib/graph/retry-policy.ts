// Pure decisions of the throttle-and-retry middleware: how long Graph asked us to wait, how long to back off, and
// which answers may be retried for which calls.

/** Statuses Graph uses for "try again": throttled, unavailable, gateway timeout (research §7). */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 503, 504]);

/** Methods safe to repeat without changing the result (RFC 9110 §9.2.2); a POST is idempotent only when the caller says so. */
export const idempotentMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);

/**
 * `Retry-After` as milliseconds: delay-seconds (Graph sends fractions such as `2.128`) or an HTTP date.
 * Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed) * 1000));
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out but still grow. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * A Retry-After is honoured in full, plus a little jitter (≤10 %, ≤1 s) so that calls throttled together do not all
 * come back in the same millisecond.
 */
export function retryAfterDelay(retryAfterMs: number, random: () => number): number {
  return retryAfterMs + Math.round(random() * Math.min(1000, retryAfterMs * 0.1));
}

export type RetryVerdict =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  /** Waiting would exceed the budget (or the tries ran out): give the wait to the caller instead of sleeping. */
  | { readonly kind: 'defer'; readonly delayMs: number };

export interface RetryContext extends BackoffOptions {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly idempotent: boolean;
  /** Time already spent sleeping for this call. */
  readonly waitedMs: number;
  readonly maxWaitMs: number;
  readonly nowMs: number;
  readonly random: () => number;
}

/** What to do after an answer with `status` (and its Retry-After header), or after a transport failure (`status` undefined). */
export function decideRetry(
  status: number | undefined,
  retryAfter: string | null | undefined,
  ctx: RetryContext,
): RetryVerdict {
  if (status !== undefined && !retryableStatuses.has(status)) return { kind: 'done' };
  // A 429 means Graph did not run the call, so even a non-idempotent one may be repeated. A 503/504 or a dropped
  // connection may come after the call took effect: repeat only what is idempotent.
  if (status !== 429 && !ctx.idempotent) return { kind: 'done' };
  const asked = status === undefined ? undefined : parseRetryAfter(retryAfter, ctx.nowMs);
  const delayMs = asked !== undefined ? retryAfterDelay(asked, ctx.random) : backoffDelay(ctx.attempt, ctx, ctx.random);
  if (ctx.attempt >= ctx.maxAttempts || ctx.waitedMs + delayMs > ctx.maxWaitMs) return { kind: 'defer', delayMs };
  return { kind: 'retry', delayMs };
}
