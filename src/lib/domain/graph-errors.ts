// How a call through the GraphPort can fail, in the domain's words. The adapter maps Graph's answers onto these
// (src/lib/graph/graph-errors.ts); the engine decides on the kind. A wait Graph asks for is a RetryLaterError
// (reset-contract.ts). Messages name the operation by its template, never a user key or other personal data.

export type GraphFailureKind =
  /** The object is not there (any more). */
  | 'not_found'
  /** A delete refused because the method is the default and other default-capable methods remain. */
  | 'refused_default_method'
  /** A change refused by another of Graph's rules (mobile while alternateMobile stays, a default the user lacks…). */
  | 'refused_by_rule'
  /** The worker's identity lacks a permission; `permissions` lists those any one of which would allow the call. */
  | 'forbidden'
  /** The worker's token was not accepted. */
  | 'unauthorized'
  /** Graph failed on its side and the call was not (or could no longer be) repeated. */
  | 'unavailable'
  /** Any other refusal of the call. */
  | 'rejected'
  /**
   * Graph answered, but the answer cannot be trusted whole: a page without `value`, paging cut short by our page cap
   * or pointed at another host or version, or an item without a property the caller needs.
   */
  | 'unreadable';

/** Graph answered, and the answer was a failure. */
export class GraphCallError extends Error {
  override readonly name = 'GraphCallError';
  constructor(
    readonly kind: GraphFailureKind,
    /** The call by its template, e.g. `GET /users/{id}/authentication/methods`. */
    readonly operation: string,
    message: string,
    /** Permissions (app roles) any one of which allows the call: what a `forbidden` failure lacks. */
    readonly permissions: readonly string[] = [],
    /** Graph's request-id of the failed answer, for joining with Entra's logs. */
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** A change Graph refused by one of its rules; the executor re-reads and re-plans. */
  get isRefusal(): boolean {
    return this.kind === 'refused_default_method' || this.kind === 'refused_by_rule';
  }
}

/** The call never got an answer (connection dropped, TLS failure, timeout) and was not retried or ran out of tries. */
export class GraphTransportError extends Error {
  override readonly name = 'GraphTransportError';
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
    /** True when the call may have taken effect (a write that is not safe to repeat, whose answer was lost). */
    readonly outcomeUnknown: boolean,
  ) {
    super(
      `Microsoft Graph did not answer ${operation}: ${cause instanceof Error ? cause.message : String(cause)}` +
        (outcomeUnknown ? ' (the call may have taken effect; it was not retried)' : ''),
    );
  }
}
