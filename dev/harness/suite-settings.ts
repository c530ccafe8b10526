// Settings for test suites and benchmarks that are not about the operator controls: their own volume must not be
// refused by a quota, and they reset the same users again, so approval and the per-target cooldown are off. A test
// about a control sets it itself.
export const controlsOffSettings: Readonly<Record<string, string>> = {
  CALLER_MAX_USERS_PER_HOUR: '100000',
  CALLER_MAX_BULK_USERS_PER_HOUR: '100000',
  TENANT_MAX_USERS_PER_HOUR: '100000',
  TENANT_MAX_BULK_USERS_PER_HOUR: '100000',
  WORKER_MAX_USERS_PER_HOUR: '200000',
  APPROVAL_MIN_USERS: '0',
  TARGET_COOLDOWN_HOURS: '0',
};

/** Only approval and the cooldown off (the quotas at their defaults, for suites that count on them). */
export const approvalAndCooldownOff: Readonly<Record<string, string>> = {
  APPROVAL_MIN_USERS: '0',
  TARGET_COOLDOWN_HOURS: '0',
};
