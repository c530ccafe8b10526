// The HTTP answer to a refusal: 429 problem+json (RFC 9457, through the intake's problem renderer) with Retry-After
// until enough counted users have left the sliding 60-minute window for the request to fit. Extension members: scope,
// kind, limit, retryAfterSeconds, resetsAt.

import type { Problem } from '../http/problem.js';
import type { Refusal } from './submission-guard.js';

export const rateLimitProblemSlug = 'rate-limited';

export function rateLimitProblem(refusal: Refusal): Problem {
  const what = refusal.kind === 'single' ? 'single-user' : 'bulk';
  const whose = refusal.scope === 'caller' ? 'this caller' : 'all callers together (tenant-wide circuit breaker)';
  const detail =
    refusal.requested > refusal.limit
      ? `This request asks for ${refusal.requested} users, more than the ${refusal.limit} ${what} resets allowed ` +
        `for ${whose} in any 60 minutes; split it (at most ${refusal.limit} users in any 60 minutes), or ask the ` +
        `operator to raise ${refusal.setting}.`
      : `${refusal.used} of the ${refusal.limit} ${what} resets allowed for ${whose} in the last 60 minutes are ` +
        `used; ${refusal.requested} more would exceed the limit (${refusal.setting}). Retry after ` +
        `${refusal.resetsAt}, when enough of them have left the window.`;
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
