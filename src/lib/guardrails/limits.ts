// Submission limits against a compromised or runaway caller (security.md API4/API6, requirement 15).
//
// Counted in users (one reset = one user) over a sliding 60-minute window (sliding-window.ts: two bursts either side
// of a clock hour count together), in two classes because their legitimate volumes differ by orders of magnitude.
// The defaults fit a service desk's real volume, not a tenant's worst day: raise them per deployment.
// - `single`: requests for one user (role Resets.Submit): a service-desk ticket. A busy desk resets a few dozen users
//   an hour, so 50 per caller leaves room for a bad morning while a loop of stolen-token requests stops at 50. 500
//   tenant-wide lets ten desks or integrations peak together.
// - `bulk`: requests for several users or a CSV (role Resets.SubmitBulk): a planned campaign. 2,000 per caller is one
//   campaign an hour (a site, a department, a batch of lost devices). 10,000 tenant-wide caps what a stolen bulk
//   secret (or several) can reset before the breaker trips. A full-size file (MAX_BULK_ROWS, 50,000) is above both
//   defaults: it is refused naming the setting to raise, and a deployment that runs such campaigns raises it.
// Each class has a per-caller quota and a tenant-wide circuit breaker (every caller together). 0 turns a limit off;
// no default is 0.

export type SubmissionKind = 'single' | 'bulk';

export interface GuardrailLimits {
  /** Users per caller in any 60 minutes in one-user requests. */
  readonly callerSinglePerHour: number;
  /** Users per caller in any 60 minutes in bulk requests. */
  readonly callerBulkPerHour: number;
  /** Users in any 60 minutes in one-user requests, every caller together (circuit breaker). */
  readonly tenantSinglePerHour: number;
  /** Users in any 60 minutes in bulk requests, every caller together (circuit breaker). */
  readonly tenantBulkPerHour: number;
}

/** Setting names (environment), for messages that tell the operator what to change. */
export const guardrailSettings = {
  callerSinglePerHour: 'CALLER_MAX_USERS_PER_HOUR',
  callerBulkPerHour: 'CALLER_MAX_BULK_USERS_PER_HOUR',
  tenantSinglePerHour: 'TENANT_MAX_USERS_PER_HOUR',
  tenantBulkPerHour: 'TENANT_MAX_BULK_USERS_PER_HOUR',
} as const satisfies Record<keyof GuardrailLimits, string>;

export const defaultGuardrailLimits: GuardrailLimits = {
  callerSinglePerHour: 50,
  callerBulkPerHour: 2_000,
  tenantSinglePerHour: 500,
  tenantBulkPerHour: 10_000,
};

export type LimitScope = 'caller' | 'tenant';

/** The limit that applies to one scope and kind. */
export function limitFor(limits: GuardrailLimits, scope: LimitScope, kind: SubmissionKind): number {
  if (scope === 'caller') return kind === 'single' ? limits.callerSinglePerHour : limits.callerBulkPerHour;
  return kind === 'single' ? limits.tenantSinglePerHour : limits.tenantBulkPerHour;
}

export function settingFor(scope: LimitScope, kind: SubmissionKind): string {
  if (scope === 'caller')
    return kind === 'single' ? guardrailSettings.callerSinglePerHour : guardrailSettings.callerBulkPerHour;
  return kind === 'single' ? guardrailSettings.tenantSinglePerHour : guardrailSettings.tenantBulkPerHour;
}
