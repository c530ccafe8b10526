// Where a --direct run reports as users finish: the counts per outcome, in the service's order. The CLI passes its
// own progress display (src/cli/progress.ts) through `DirectProgress`; `lineProgress` is the plain fallback, a
// line each time another 5 % is done.
import { itemOutcomes, type ItemOutcome } from '../../lib/domain/index.js';

export interface DirectCounts {
  readonly total: number;
  readonly pending: number;
  readonly counts: Readonly<Partial<Record<ItemOutcome, number>>>;
}

export interface DirectProgress {
  update(state: DirectCounts): void;
  finish(state: DirectCounts): void;
}

/** `reset 3, protected 1`: outcomes with no user left out. */
export function countsLine(counts: DirectCounts['counts']): string {
  const parts = itemOutcomes.filter((o) => (counts[o] ?? 0) > 0).map((o) => `${o} ${counts[o] ?? 0}`);
  return parts.length > 0 ? parts.join(', ') : 'none final yet';
}

export function lineProgress(line: (text: string) => void): DirectProgress {
  let lastStep = 0;
  const text = (s: DirectCounts): string => {
    const done = s.total - s.pending;
    const pct = s.total === 0 ? 100 : Math.floor((done * 100) / s.total);
    return `progress ${done}/${s.total} (${pct} %)  ${countsLine(s.counts)}`;
  };
  return {
    update(s) {
      const done = s.total - s.pending;
      const step = s.total === 0 ? 20 : Math.floor((done * 20) / s.total);
      if (step > lastStep) {
        lastStep = step;
        line(text(s));
      }
    },
    finish(s) {
      this.update(s);
    },
  };
}
