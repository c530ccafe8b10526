// The reset engine: plan and carry out an MFA reset for one user through the domain's GraphPort. The contract it
// implements (ResetEngine, ResetOptions, ResetResult…) is the domain's (src/lib/domain).
export { createResetEngine } from './engine.js';
export type { ResetEngineOptions } from './engine.js';
export { describeFailure } from './describe-failure.js';
export { planReset, defaultCandidates } from './planner.js';
export type { Plan, PlanRequest, PlanStep, PlannedMethod } from './planner.js';
export { typesInScope } from './scope.js';
export { isListedProtected, checkDirectoryGuard, verdictOf, GuardUnavailableError } from './guard.js';
export type { GuardConfig, GuardVerdict, ProtectedReason } from './guard.js';
export { readTenantPrivilege, TenantPrivilegeCache } from './tenant-privilege.js';
export type { TenantPrivilege, PrivilegedGroups } from './tenant-privilege.js';
