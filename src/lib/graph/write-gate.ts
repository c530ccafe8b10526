// A process-wide gate on Graph writes. Graph's write quota (3,000 writes per 150 s per app and tenant, research
// graph-auth-methods §7.3) is a wall: once a write is refused with WriteLimitExceeded, every other write sent before
// the Retry-After ends would be refused too. The gate remembers the wall, so later writes wait (or are deferred by the
// caller) without being sent, instead of each collecting its own 429 and halving the concurrency limit again. Reads
// are not gated: they have their own resource-unit budget.

/** Methods that count against Graph's write quota. */
export function isWriteMethod(method: string): boolean {
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
}

/**
 * Whether an answer closes the gate: a 429 to a write that names the write quota (`x-ms-throttle-information:
 * WriteLimitExceeded`). Other 429s (resource units, injected faults) say nothing about the next write.
 */
export function gatesWrites(status: number, method: string, headers: Headers): boolean {
  return (
    status === 429 &&
    isWriteMethod(method) &&
    /WriteLimitExceeded/i.test(headers.get('x-ms-throttle-information') ?? '')
  );
}

export class WriteGate {
  private until = 0;

  /** Graph refused a write for the write quota and asked to wait `retryAfterMs`. */
  block(retryAfterMs: number, nowMs = Date.now()): void {
    this.until = Math.max(this.until, nowMs + retryAfterMs);
  }

  /** How long writes must still wait (0: open). */
  remainingMs(nowMs = Date.now()): number {
    return Math.max(0, this.until - nowMs);
  }
}
