// What a finished request means for the exit code and the lines printed about it.
import { itemOutcomes, type ItemOutcome } from '../lib/domain/index.js';
import type { ItemView, RequestView } from './api-views.js';
import { ExitCode } from './cli-error.js';

/** Outcomes that leave the user as asked: reset, nothing to reset, or planned (a dry run). */
const GOOD: ReadonlySet<ItemOutcome> = new Set(['reset', 'nothing_to_reset', 'planned']);

/** 0 when every user ended reset, nothing_to_reset or planned; 1 when any ended otherwise. */
export function exitCodeOf(view: Pick<RequestView, 'counts'>): ExitCode {
  const bad = itemOutcomes.some((o) => !GOOD.has(o) && (view.counts[o] ?? 0) > 0);
  return bad ? ExitCode.notAllReset : ExitCode.ok;
}

/** `reset 3, protected 1` in the service's order, outcomes with no user left out. */
export function countsText(counts: RequestView['counts']): string {
  const parts = itemOutcomes.filter((o) => (counts[o] ?? 0) > 0).map((o) => `${o} ${counts[o] ?? 0}`);
  return parts.length > 0 ? parts.join(', ') : 'none final yet';
}

const types = (list: readonly { type: string }[] | undefined): string =>
  list && list.length > 0 ? list.map((m) => m.type).join(', ') : 'none';

/** One line per user: who, outcome, and what changed or why not. */
export function itemLine(item: ItemView): string {
  const outcome = item.outcome ?? item.status;
  const head = `${item.user}  ${outcome}`;
  switch (item.outcome) {
    case 'reset': {
      // The password always stays: naming it would only hide what else was kept.
      const kept = (item.methodsRemaining ?? []).filter((m) => m.type !== 'password');
      return `${head}  removed: ${types(item.methodsRemoved)}${kept.length ? `; kept: ${types(kept)}` : ''}`;
    }
    case 'planned':
      return `${head}  would remove: ${types(item.methodsPlanned)}`;
    case 'failed':
      return `${head}  ${item.error ? `${item.error.code}: ${item.error.message}` : ''}`.trimEnd();
    default:
      return head;
  }
}

export function summaryLine(view: RequestView): string {
  const state = view.cancelledAt ? `${view.status} (cancelled)` : view.status;
  return `Request ${view.id}: ${state}, ${view.total - view.pending}/${view.total} final: ${countsText(view.counts)}`;
}
