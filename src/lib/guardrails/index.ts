export * from './limits.js';
export { bucketAt, BUCKET_SECONDS, WINDOW_SECONDS, type Buckets } from './sliding-window.js';
export {
  createTableWindowCounters,
  GuardrailContentionError,
  GUARD_PARTITION,
  type WindowCounters,
  type CounterAddition,
  type AddResult,
} from './window-counters.js';
export {
  createSubmissionGuard,
  callerCounterRow,
  tenantCounterRow,
  type SubmissionGuard,
  type Submission,
  type GuardDecision,
  type Reservation,
  type Refusal,
} from './submission-guard.js';
export { rateLimitProblem, rateLimitProblemSlug } from './problem.js';
