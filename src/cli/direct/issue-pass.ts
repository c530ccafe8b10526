// A Temporary Access Pass after a verified reset, when asked (--tap): the worker's rule (src/lib/worker/issue-tap.ts)
// without its envelope, since the person who asked is the one at the terminal. The value goes only to them, once;
// never into the results CSV.
import type { ResetResult, TapGraphPort, TapOutcome, TapPolicy, TapRequest } from '../../lib/domain/index.js';
import { GraphCallError, tapNotIssuedFor, tapTerms } from '../../lib/domain/index.js';
import { personalRefusal } from './delegated-refusals.js';

export interface DirectPass {
  readonly outcome: TapOutcome;
  /** The pass itself, when issued. */
  readonly value?: string;
}

/** Outcomes after which the user is verified free of methods: the pass lets them register again. */
const VERIFIED: readonly string[] = ['reset', 'nothing_to_reset'];

export function passIssuer(
  graph: TapGraphPort,
): (asked: TapRequest, result: ResetResult, dryRun: boolean) => Promise<DirectPass> {
  // The tenant's policy is read once per run.
  let policy: Promise<TapPolicy> | undefined;
  return async (asked, result, dryRun) => {
    if (dryRun || !VERIFIED.includes(result.outcome) || !result.userId) {
      return { outcome: { status: 'not_issued', reason: tapNotIssuedFor(result.outcome, dryRun) } };
    }
    try {
      policy ??= graph.readTapPolicy();
      const decided = tapTerms(asked, await policy);
      if (!decided.ok) return { outcome: decided.outcome };
      const issued = await graph.createTap(result.userId, decided.terms);
      const terms = {
        startDateTime: issued.startDateTime,
        lifetimeMinutes: issued.lifetimeMinutes,
        isUsableOnce: issued.isUsableOnce,
      };
      return { outcome: { status: 'issued', ...terms }, value: issued.value };
    } catch (error) {
      const refused = error instanceof GraphCallError && error.kind === 'refused_by_rule';
      const worded = personalRefusal(error);
      const detail = worded instanceof GraphCallError ? worded.message : 'the call failed';
      return { outcome: { status: 'not_issued', reason: refused ? 'tap_refused_by_policy' : 'tap_failed', detail } };
    }
  };
}
