// The plan step: what this run will delete (the planner's steps), what it may not, and what an earlier attempt of
// the same item already removed (named by the snapshot, no longer listed).
import type { GraphMethod, MethodRef, MethodTypeName, ResetOptions } from '../domain/index.js';
import { listedKey, refKey } from './method-refs.js';
import type { Plan } from './planner.js';
import { planReset } from './planner.js';

export interface TargetPlan {
  readonly plan: Plan;
  readonly planned: readonly MethodRef[];
  readonly skipped: readonly (MethodRef & { readonly reason: string })[];
  /** In the snapshot and in scope, but no longer listed: removed by an earlier attempt. */
  readonly alreadyGone: readonly MethodRef[];
}

export function planTarget(
  methods: readonly GraphMethod[],
  preferred: string | null,
  options: ResetOptions,
  inScope: ReadonlySet<MethodTypeName>,
  snapshot: readonly MethodRef[] | undefined,
): TargetPlan {
  const plan = planReset({
    methods,
    preferred,
    scope: options.methods,
    keep: options.keep,
    ...(snapshot ? { snapshot } : {}),
  });
  const present = new Set(methods.map(listedKey));
  const scoped = inScope as ReadonlySet<string>;
  return {
    plan,
    planned: plan.deletes.map((m) => ({ type: m.type, id: m.id })),
    skipped: plan.skipped.map((s) => ({ type: s.method.type, id: s.method.id, reason: s.reason })),
    alreadyGone: (snapshot ?? [])
      .filter((m) => scoped.has(m.type) && !present.has(refKey(m.type, m.id)))
      .map((m) => ({ type: m.type, id: m.id })),
  };
}

/** Whether the run has anything to do or report as removed. */
export function hasWork(target: TargetPlan): boolean {
  return target.plan.deletes.length > 0 || target.alreadyGone.length > 0;
}
