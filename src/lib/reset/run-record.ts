// The record step: what one reset run found and did, its Graph request-ids and its timings, turned into the
// ResetResult whatever step the run ends at.
import type { GraphCallContext, ItemOutcome, MethodRef, ResetResult, ResetRunContext } from '../domain/index.js';

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

  /** The result of the run, ending with `outcome`; `rest` overrides what the run has recorded. */
  finish(outcome: ItemOutcome, rest: Partial<ResetResult> = {}): ResetResult {
    const end = performance.now();
    return {
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
}
