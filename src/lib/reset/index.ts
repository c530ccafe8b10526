// The reset engine: plan and carry out an MFA reset for one user through a GraphPort.
export * from './contract.js';
export { createResetEngine, describeFailure } from './engine.js';
export type { ResetEngineOptions } from './engine.js';
export { planReset, defaultCandidates } from './planner.js';
export type { Plan, PlanRequest, PlanStep, PlannedMethod } from './planner.js';
export { typesInScope } from './scope.js';
export { isListedProtected, checkDirectoryGuard } from './guard.js';
export type { GuardConfig, GuardVerdict, ProtectedReason } from './guard.js';
