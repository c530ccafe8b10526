// The tenant-wide circuit breaker latches (issue 14): once every caller together goes over the tenant limit, new work
// is refused and the worker starts no item of the tenant until an operator resets it. It never resets itself: a
// flood of stolen-secret requests is an incident, and a person decides when it is over.

export interface BreakerState {
  readonly open: boolean;
  /** When it tripped, and on which class of request (single or bulk). */
  readonly trippedAt?: string;
  readonly kind?: string;
  readonly limit?: number;
  /** The operator's reset: when, by which client application, and why. */
  readonly resetAt?: string;
  readonly resetBy?: string;
  readonly resetReason?: string;
}

export const closedBreaker: BreakerState = { open: false };
