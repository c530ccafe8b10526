export * from './limits.js';
export { windowAt, secondsUntilEnd, WINDOW_SECONDS, type Window } from './fixed-window.js';
export {
  createTableWindowCounters,
  GuardrailContentionError,
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
