// The executor: carries a plan out in passes. Each pass executes the plan's stages, then verifies by listing again;
// what is still there is re-planned for the next pass (Graph's rules may have refused a delete), up to a bound.
// Revoking sessions runs alongside the first verification that met no refusal, or after the last pass. The run's
// record (RunProgress) follows every delete and listing, so a pass that throws still leaves it true.
import type {
  GraphCallContext,
  GraphMethod,
  GraphPort,
  MethodRef,
  MethodScope,
  MethodTypeName,
} from '../domain/index.js';
import { executeStages } from './execute-stages.js';
import { listedKey, refKey, toRef } from './method-refs.js';
import type { Plan } from './planner.js';
import { planReset } from './planner.js';
import type { RunProgress } from './run-record.js';
import { verifyPass } from './verify.js';

export interface ExecuteInput {
  readonly graph: GraphPort;
  readonly userId: string;
  readonly plan: Plan;
  readonly preferred: string | null;
  readonly scope: MethodScope;
  readonly keep: readonly MethodTypeName[];
  readonly listHardwareOath: boolean;
  readonly revokeSessions: boolean;
  readonly maxPasses: number;
  readonly maxParallelDeletes: number;
  readonly ctx: GraphCallContext;
  /** Counts sequential waits on Graph (for the round-trip figure). */
  readonly onRoundTrip: () => void;
  /** The run's record of what is removed and what was last listed. */
  readonly progress: RunProgress;
}

export interface ExecuteOutcome {
  readonly removed: readonly MethodRef[];
  /** The last listing (all methods the user still has). */
  readonly after: readonly GraphMethod[];
  /** Planned methods still present after the last pass. */
  readonly notRemoved: readonly MethodRef[];
  readonly sessionsRevoked: boolean;
  readonly passes: number;
  /** The last refusal Graph gave, when something could not be deleted. */
  readonly lastRefusal?: string;
}

export async function executePlan(input: ExecuteInput): Promise<ExecuteOutcome> {
  const targets = new Map(input.plan.deletes.map((m) => [refKey(m.type, m.id), m]));
  const removed = new Map<string, MethodRef>();
  let plan = input.plan;
  let preferred = input.preferred;
  let sessionsRevoked = false;
  let lastRefusal: string | undefined;
  let after: GraphMethod[] = [];
  let passes = 0;

  for (let pass = 1; pass <= input.maxPasses; pass++) {
    passes = pass;
    const executed = await executeStages(input, plan);
    for (const [key, m] of executed.removed) removed.set(key, m);
    if (executed.preferred !== undefined) preferred = executed.preferred;
    const refused = executed.refusals.length > 0;
    if (refused) lastRefusal = executed.refusals[executed.refusals.length - 1].message;

    const verified = await verifyPass(input, {
      rereadDefault: refused,
      revokeAlongside: input.revokeSessions && !sessionsRevoked && !refused,
    });
    sessionsRevoked ||= verified.sessionsRevoked;
    if (verified.preferred !== undefined) preferred = verified.preferred;
    after = verified.after;

    input.progress.listed(after.map(toRef));
    const present = new Set(after.map(listedKey));
    const remaining = [...targets.values()].filter((m) => present.has(refKey(m.type, m.id)));
    for (const m of remaining) {
      // A delete that did not stick is not a removal.
      removed.delete(refKey(m.type, m.id));
      input.progress.unremoved(m);
    }
    for (const [key, m] of targets) {
      if (present.has(key)) continue;
      removed.set(key, { type: m.type, id: m.id });
      input.progress.removed(m);
    }
    if (remaining.length === 0) break;

    plan = planReset({ methods: after, preferred, scope: input.scope, keep: input.keep, snapshot: remaining });
    if (plan.deletes.length === 0) break; // nothing more can be done (e.g. a rule the planner cannot satisfy)
  }

  if (input.revokeSessions && !sessionsRevoked && removed.size > 0) {
    await revokeStep(input);
    sessionsRevoked = true;
  }
  const present = new Set(after.map(listedKey));
  return {
    removed: [...removed.values()],
    after,
    notRemoved: [...targets.values()]
      .filter((m) => present.has(refKey(m.type, m.id)))
      .map((m) => ({ type: m.type, id: m.id })),
    sessionsRevoked,
    passes,
    ...(lastRefusal !== undefined ? { lastRefusal } : {}),
  };
}

/** The revoke step, when no verification could carry it: something was removed, so old sessions must end. */
async function revokeStep(input: ExecuteInput): Promise<void> {
  input.onRoundTrip();
  await input.graph.revokeSignInSessions(input.userId, input.ctx);
}
