// The executor: runs a plan stage by stage (independent steps in parallel up to a bound), then lists again to verify.
// A 404 on delete means already gone; a 400 (the default-method rule, the mobile/alternateMobile rule) means re-list,
// re-plan and try again in the next pass; passes are bounded. Revoking sessions runs alongside the verification list
// when the pass met no refusal, so it costs no extra round trip.
import type { GraphCallContext, GraphMethod, GraphPort } from '../graph/graph-port.js';
import { GraphRequestError } from '../graph/graph-errors.js';
import { runBounded, settleAll } from './bounded.js';
import type { MethodRef, MethodScope, MethodTypeName } from './contract.js';
import type { Plan, PlannedMethod } from './planner.js';
import { planReset, refKey } from './planner.js';

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

interface Refusal {
  readonly method?: PlannedMethod;
  readonly message: string;
}

export async function executePlan(input: ExecuteInput): Promise<ExecuteOutcome> {
  const { graph, userId, ctx } = input;
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
    const refusals: Refusal[] = [];
    for (let stage = 0; stage < plan.stageCount; stage++) {
      const steps = plan.steps.filter((s) => s.stage === stage);
      if (steps.length === 0) continue;
      input.onRoundTrip();
      await runBounded(steps, input.maxParallelDeletes, async (step) => {
        if (step.kind === 'setPreferredMethod') {
          // SMS may be off by policy where voice calls to the same phone are not: try the other mobile value.
          const values = step.value === 'sms' ? (['sms', 'voiceMobile'] as const) : [step.value];
          for (const value of values) {
            try {
              await graph.setPreferredMethod(userId, value, ctx);
              preferred = value;
              return;
            } catch (error) {
              if (!(error instanceof GraphRequestError && error.status === 400)) throw error;
              refusals.push({ message: error.message });
            }
          }
          return;
        }
        try {
          await graph.deleteMethod(userId, step.method, ctx);
          removed.set(refKey(step.method.type, step.method.id), { type: step.method.type, id: step.method.id });
        } catch (error) {
          if (error instanceof GraphRequestError && error.status === 400) {
            refusals.push({ method: step.method, message: error.message });
            return;
          }
          throw error;
        }
      });
    }
    if (refusals.length > 0) lastRefusal = refusals[refusals.length - 1].message;

    // Verify: list again (and read the default again when Graph refused something; revoke alongside otherwise).
    input.onRoundTrip();
    const revokeNow = input.revokeSessions && !sessionsRevoked && refusals.length === 0;
    const [listed, hardware, prefs] = await settleAll([
      graph.listMethods(userId, ctx),
      input.listHardwareOath ? graph.listHardwareOathMethods(userId, ctx) : Promise.resolve([]),
      refusals.length > 0 ? graph.getSignInPreferences(userId, ctx) : Promise.resolve(undefined),
      revokeNow ? graph.revokeSignInSessions(userId, ctx) : Promise.resolve(),
    ] as const);
    if (revokeNow) sessionsRevoked = true;
    if (prefs) preferred = prefs.userPreferredMethodForSecondaryAuthentication;
    after = mergeListings(listed, hardware);

    const present = new Set(after.map((m) => refKey(m.type ?? m.odataType, m.id)));
    const remaining = [...targets.values()].filter((m) => present.has(refKey(m.type, m.id)));
    for (const m of remaining) removed.delete(refKey(m.type, m.id)); // a 204 that did not stick is not a removal
    for (const [key, m] of targets) if (!present.has(key)) removed.set(key, { type: m.type, id: m.id });
    if (remaining.length === 0) break;

    plan = planReset({ methods: after, preferred, scope: input.scope, keep: input.keep, snapshot: remaining });
    if (plan.deletes.length === 0) break; // nothing more can be done (e.g. a rule the planner cannot satisfy)
  }

  if (input.revokeSessions && !sessionsRevoked && removed.size > 0) {
    input.onRoundTrip();
    await graph.revokeSignInSessions(userId, ctx);
    sessionsRevoked = true;
  }
  const present = new Set(after.map((m) => refKey(m.type ?? m.odataType, m.id)));
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

/** The v1.0 list plus beta's hardware tokens, each method once (should v1.0 ever list hardware tokens too). */
export function mergeListings(listed: readonly GraphMethod[], hardware: readonly GraphMethod[]): GraphMethod[] {
  const seen = new Set(listed.map((m) => refKey(m.type ?? m.odataType, m.id)));
  return [...listed, ...hardware.filter((m) => !seen.has(refKey(m.type ?? m.odataType, m.id)))];
}
