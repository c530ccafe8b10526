// The HTTP answer to a refusal: 429 problem+json (RFC 9457) with Retry-After until the window ends.

import type { Refusal } from './submission-guard.js';

export interface RateLimitProblem {
  readonly type: string;
  readonly title: string;
  readonly status: 429;
  readonly detail: string;
  readonly scope: Refusal['scope'];
  readonly limit: number;
  readonly retryAfterSeconds: number;
  readonly resetsAt: string;
}

export const rateLimitProblemType = 'https://github.com/mfa-reset/mfa-reset/blob/main/docs/operations.md#limits';

export function rateLimitProblem(refusal: Refusal): RateLimitProblem {
  const what = refusal.kind === 'single' ? 'single-user' : 'bulk';
  const whose = refusal.scope === 'caller' ? 'this caller' : 'all callers together (tenant-wide circuit breaker)';
  const alone = refusal.requested > refusal.limit;
  const detail = alone
    ? `This request asks for ${refusal.requested} users, more than the ${refusal.limit} ${what} resets per hour ` +
      `allowed for ${whose}; split it, or ask the operator to raise ${refusal.setting}.`
    : `${refusal.used} of the ${refusal.limit} ${what} resets per hour allowed for ${whose} are used; ` +
      `${refusal.requested} more would exceed the limit (${refusal.setting}). Retry after ${refusal.resetsAt}.`;
  return {
    type: rateLimitProblemType,
    title: refusal.scope === 'caller' ? 'Reset quota exceeded' : 'Reset circuit breaker open',
    status: 429,
    detail,
    scope: refusal.scope,
    limit: refusal.limit,
    retryAfterSeconds: refusal.retryAfterSeconds,
    resetsAt: refusal.resetsAt,
  };
}

/** Headers for the 429 answer. */
export function rateLimitHeaders(refusal: Refusal): Record<string, string> {
  return { 'Content-Type': 'application/problem+json', 'Retry-After': String(refusal.retryAfterSeconds) };
}
