// The record step: what one reset run found and did, its Graph request-ids and its timings, turned into the
// ResetResult whatever step the run ends at. Deletes are recorded as Graph answers them, so a run that ends early
// (an error, a request to wait) still says exactly what it removed and what the last listing left.
import type {
  GraphCallContext,
  ItemOutcome,
  MethodRef,
  RemainingMethod,
  RemovalProgress,
  ResetResult,
  ResetRunContext,
} from '../domain/index.js';
import { refKey } from './method-refs.js';

/** What the executor tells the run as it goes. */
export interface RunProgress {
  /** The method is gone: Graph answered its DELETE 204, or 404 (already gone), or a listing no longer shows it. */
  removed(ref: MethodRef): void;
  /** A listing shows the method again: it was not removed after all. */
  unremoved(ref: MethodRef): void;
  /** The latest listing of the user's methods. */
  listed(methods: readonly MethodRef[]): void;
  /** A batch of deletes has settled: the caller may persist what is removed so far (only when something new is). */
  checkpoint(): Promise<void>;
}

/** A failure of the caller's own callback (saving the snapshot or the progress): the run ends with it, as it is. */
export class CallerCallbackError extends Error {
  override readonly name = 'CallerCallbackError';
  constructor(readonly original: unknown) {
    super('a callback of the caller failed');
  }
}

export class RunRecord implements RunProgress {
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
  /** Removed by this item so far (earlier attempts included), keyed by refKey, in the order they went. */
  private readonly gone = new Map<string, MethodRef>();
  /** The last listing known (an earlier attempt's until this run lists). */
  private listing: readonly RemainingMethod[];
  private unsaved = false;
  private readonly onProgress: ResetRunContext['onProgress'];

  constructor(
    private readonly now: () => Date,
    context: ResetRunContext,
  ) {
    this.startedAt = now();
    for (const m of context.earlier?.methodsRemoved ?? []) this.gone.set(refKey(m.type, m.id), m);
    this.listing = context.earlier?.methodsRemaining ?? [];
    this.onProgress = context.onProgress;
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

  readonly removed = (ref: MethodRef): void => {
    const key = refKey(ref.type, ref.id);
    if (this.gone.has(key)) return;
    this.gone.set(key, { type: ref.type, id: ref.id });
    this.unsaved = true;
  };

  readonly unremoved = (ref: MethodRef): void => {
    if (this.gone.delete(refKey(ref.type, ref.id))) this.unsaved = true;
  };

  readonly listed = (methods: readonly MethodRef[]): void => {
    this.listing = methods;
  };

  readonly checkpoint = async (): Promise<void> => {
    if (!this.unsaved || !this.onProgress) return;
    this.unsaved = false;
    await guardCallback(() => this.onProgress?.(this.progress()));
  };

  /** Removed so far, and the last listing less what went since. */
  progress(): RemovalProgress {
    return {
      methodsRemoved: [...this.gone.values()],
      methodsRemaining: this.listing.filter((m) => !this.gone.has(refKey(m.type, m.id))),
    };
  }

  markResolved(): void {
    this.resolvedAt = performance.now();
  }

  markInspected(): void {
    this.inspectedAt = performance.now();
  }

  /**
   * The result of the run, ending with `outcome`; `rest` overrides what the run has recorded (by default what it
   * removed, earlier attempts included, and the last listing less that). A remaining method the run skipped carries
   * the skip's reason, so the caller sees why it stays where it sees that it stays.
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
      ...this.progress(),
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

/** Runs a callback of the caller; its failure is marked, so the engine ends the run with it instead of `failed`. */
export async function guardCallback(callback: () => Promise<void> | undefined): Promise<void> {
  try {
    await callback();
  } catch (error) {
    throw new CallerCallbackError(error);
  }
}
