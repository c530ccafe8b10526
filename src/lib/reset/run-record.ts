// The record step: what one reset run found and did, its Graph request-ids and its timings, turned into the
// ResetResult whatever step the run ends at.
import type {
  GraphCallContext,
  ItemOutcome,
  MethodRef,
  RemainingMethod,
  ResetResult,
  ResetRunContext,
} from '../domain/index.js';
import { refKey } from './method-refs.js';

export class RunRecord {
  /** Handed to every Graph call of the run: collects request-ids, carries the correlation id and the signal. */
  readonly ctx: GraphCallContext;
  /** The object id the key resolved to. */
  userId: string | undefined;
  methodsBefore: readonly MethodRef[] = [];
  planned: readonly MethodRef[] = [];
  unknownTypes: readonly string[] = [];
  private readonly requestIds: string[] = [];
  private readonly startedAt: Date;
  private readonly t0 = performance.now();
  private resolvedAt = this.t0;
  private inspectedAt = this.t0;
  private roundTrips = 0;

  constructor(
    private readonly now: () => Date,
    context: ResetRunContext,
  ) {
    this.startedAt = now();
    this.ctx = {
      onRequestId: (id) => this.requestIds.push(id),
      ...(context.correlationId ? { correlationId: context.correlationId } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    };
  }

  /** One more sequential wait on Graph (calls made in parallel count once). */
  readonly roundTrip = (): void => {
    this.roundTrips++;
  };

  markResolved(): void {
    this.resolvedAt = performance.now();
  }

  markInspected(): void {
    this.inspectedAt = performance.now();
  }

  /**
   * The result of the run, ending with `outcome`; `rest` overrides what the run has recorded. A remaining method the
   * run skipped carries the skip's reason, so the caller sees why it stays where it sees that it stays.
   */
  finish(outcome: ItemOutcome, rest: Partial<ResetResult> = {}): ResetResult {
    const end = performance.now();
    return {
      ...this.fields(outcome, rest),
      timings: {
        resolveMs: Math.round(this.resolvedAt - this.t0),
        inspectMs: Math.round(Math.max(0, this.inspectedAt - this.resolvedAt)),
        executeMs: Math.round(Math.max(0, end - Math.max(this.inspectedAt, this.resolvedAt))),
        totalMs: Math.round(end - this.t0),
        roundTrips: this.roundTrips,
        graphResponses: this.requestIds.length,
      },
    };
  }

  private fields(outcome: ItemOutcome, rest: Partial<ResetResult>): Omit<ResetResult, 'timings'> {
    const result: Omit<ResetResult, 'timings'> = {
      outcome,
      ...(this.userId ? { userId: this.userId } : {}),
      methodsBefore: this.methodsBefore,
      planned: this.planned,
      methodsRemoved: [],
      methodsRemaining: this.methodsBefore,
      unknownTypes: this.unknownTypes,
      sessionsRevoked: false,
      graphRequestIds: this.requestIds,
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.now().toISOString(),
      ...rest,
    };
    return { ...result, methodsRemaining: withReasons(result.methodsRemaining, result.skipped ?? []) };
  }
}

function withReasons(
  remaining: readonly RemainingMethod[],
  skipped: readonly (MethodRef & { readonly reason: string })[],
): RemainingMethod[] {
  const reasons = new Map(skipped.map((s) => [refKey(s.type, s.id), s.reason]));
  return remaining.map((m) => {
    const reason = reasons.get(refKey(m.type, m.id));
    return reason === undefined ? m : { type: m.type, id: m.id, reason };
  });
}
