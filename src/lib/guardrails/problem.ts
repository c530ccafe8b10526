// The HTTP answer to a refusal: 429 problem+json (RFC 9457, through the intake's problem renderer) with Retry-After
// until the window ends. Extension members: scope, kind, limit, retryAfterSeconds, resetsAt.

import type { Problem } from '../http/problem.js';
import type { Refusal } from './submission-guard.js';

export const rateLimitProblemSlug = 'rate-limited';

export function rateLimitProblem(refusal: Refusal): Problem {
  const what = refusal.kind === 'single' ? 'single-user' : 'bulk';
  const whose = refusal.scope === 'caller' ? 'this caller' : 'all callers together (tenant-wide circuit breaker)';
  const detail =
    refusal.requested > refusal.limit
      ? `This request asks for ${refusal.requested} users, more than the ${refusal.limit} ${what} resets per hour ` +
        `allowed for ${whose}; split it, or ask the operator to raise ${refusal.setting}.`
      : `${refusal.used} of the ${refusal.limit} ${what} resets per hour allowed for ${whose} are used; ` +
        `${refusal.requested} more would exceed the limit (${refusal.setting}). Retry after ${refusal.resetsAt}.`;
  return {
    slug: rateLimitProblemSlug,
    status: 429,
    title: refusal.scope === 'caller' ? 'Reset quota exceeded' : 'Reset circuit breaker open',
    detail,
    extensions: {
      scope: refusal.scope,
      kind: refusal.kind,
      limit: refusal.limit,
      retryAfterSeconds: refusal.retryAfterSeconds,
      resetsAt: refusal.resetsAt,
    },
    headers: { 'Retry-After': String(refusal.retryAfterSeconds) },
  };
}
