// The execute step of one pass: the plan's stages in order, the steps of a stage in parallel up to a bound. A delete
// Graph refuses by one of its rules (the default method, mobile while alternateMobile stays) is noted, not thrown:
// the executor re-lists, re-plans and tries again in the next pass. Each delete Graph answers is recorded at once, so
// a stage that fails half-way still reports the deletes that went through; after each stage the caller may save them.
import type { GraphCallContext, GraphPort, MethodRef } from '../domain/index.js';
import { GraphCallError } from '../domain/index.js';
import { mapBoundedSettled } from '../concurrency/bounded.js';
import { refKey } from './method-refs.js';
import type { Plan, PlannedMethod, PlanStep } from './planner.js';
import type { RunProgress } from './run-record.js';

export interface StageInput {
  readonly graph: GraphPort;
  readonly userId: string;
  readonly maxParallelDeletes: number;
  readonly ctx: GraphCallContext;
  readonly onRoundTrip: () => void;
  /** Told of each delete as Graph answers it, and of the end of each stage. */
  readonly progress: RunProgress;
}

export interface Refusal {
  readonly method?: PlannedMethod;
  readonly message: string;
}

export interface StagesOutcome {
  /** Deleted, or found already gone, keyed by refKey. */
  readonly removed: ReadonlyMap<string, MethodRef>;
  readonly refusals: readonly Refusal[];
  /** The default method value set during the pass, when one was. */
  readonly preferred?: string;
}

export async function executeStages(input: StageInput, plan: Plan): Promise<StagesOutcome> {
  const removed = new Map<string, MethodRef>();
  const refusals: Refusal[] = [];
  let preferred: string | undefined;
  for (let stage = 0; stage < plan.stageCount; stage++) {
    const steps = plan.steps.filter((s) => s.stage === stage);
    if (steps.length === 0) continue;
    input.onRoundTrip();
    await mapBoundedSettled(steps, input.maxParallelDeletes, async (step) => {
      if (step.kind === 'setPreferredMethod') {
        preferred = (await setDefault(input, step, refusals)) ?? preferred;
        return;
      }
      try {
        // 404 (`not_found`) counts as removed too: the method was listed moments ago for this item, and the usual
        // reason it is gone is our own earlier DELETE whose answer was lost (docs/api.md, "What the rows say").
        await input.graph.deleteMethod(input.userId, step.method, input.ctx);
        const ref = { type: step.method.type, id: step.method.id };
        removed.set(refKey(ref.type, ref.id), ref);
        input.progress.removed(ref);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refusals.push({ method: step.method, message: error.message });
      }
    });
    await input.progress.checkpoint();
  }
  return { removed, refusals, ...(preferred !== undefined ? { preferred } : {}) };
}

/** Moves the default; SMS may be off by policy where voice calls to the same phone are not, so `sms` tries both. */
async function setDefault(
  input: StageInput,
  step: Extract<PlanStep, { kind: 'setPreferredMethod' }>,
  refusals: Refusal[],
): Promise<string | undefined> {
  const values = step.value === 'sms' ? (['sms', 'voiceMobile'] as const) : [step.value];
  for (const value of values) {
    try {
      await input.graph.setPreferredMethod(input.userId, value, input.ctx);
      return value;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refusals.push({ message: error.message });
    }
  }
  return undefined;
}

function isRefusal(error: unknown): error is GraphCallError {
  return error instanceof GraphCallError && error.isRefusal;
}
