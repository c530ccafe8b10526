// Submission limits against a compromised or runaway caller (security.md API4/API6, requirement 15).
//
// Counted in users (one reset = one user), per fixed clock hour (UTC), in two classes because their legitimate
// volumes differ by orders of magnitude:
// - `single`: requests for one user (role Resets.Submit): a service desk ticket. A large desk resets a few dozen
//   users an hour; a loop of stolen-token requests resets hundreds within minutes.
// - `bulk`: requests for several users or a CSV (role Resets.SubmitBulk): a planned campaign. One full-size file
//   (MAX_BULK_ROWS, 50,000) must pass; a second and third file within the same hour is not a campaign.
// Each class has a per-caller quota and a tenant-wide circuit breaker (every caller together). 0 turns a limit off;
// no default is 0.

export type SubmissionKind = 'single' | 'bulk';

export interface GuardrailLimits {
  /** Users per caller per hour in one-user requests. */
  readonly callerSinglePerHour: number;
  /** Users per caller per hour in bulk requests. */
  readonly callerBulkPerHour: number;
  /** Users per hour in one-user requests, every caller together (circuit breaker). */
  readonly tenantSinglePerHour: number;
  /** Users per hour in bulk requests, every caller together (circuit breaker). */
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
  callerSinglePerHour: 200,
  callerBulkPerHour: 50_000,
  tenantSinglePerHour: 1_000,
  tenantBulkPerHour: 100_000,
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
