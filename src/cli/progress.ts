// Progress of a running request from the service's own counts: done / total, per outcome, the rate the service
// really achieves (users finished per minute over the last minute of polls) and the time left at that rate. On a
// terminal one line is redrawn; elsewhere (a pipe, a log) a plain line is printed each time another 5 % is done.
import type { RequestView } from './api-views.js';
import { countsText } from './outcome.js';
import type { Output } from './output.js';

interface Sample {
  readonly at: number;
  readonly done: number;
}

const WINDOW_MS = 60_000;

export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface ProgressDisplay {
  update(view: RequestView): void;
  /** The final state (the 100 % line when it was not printed yet). */
  finish(view: RequestView): void;
}

export function createProgress(out: Output, now: () => number = Date.now): ProgressDisplay {
  const samples: Sample[] = [];
  // The last 5 % step printed (plain lines): the first line comes at 5 %.
  let lastStep = 0;

  const rateText = (done: number, total: number): string => {
    const t = now();
    samples.push({ at: t, done });
    while (samples.length > 2 && t - (samples[1]?.at ?? t) >= WINDOW_MS) samples.shift();
    const first = samples[0];
    if (!first || t - first.at < 1000 || done <= first.done) return 'rate –, ETA –';
    const perMs = (done - first.done) / (t - first.at);
    const perMinute = perMs * 60_000;
    const eta = durationText((total - done) / perMs);
    return `${perMinute >= 10 ? Math.round(perMinute) : perMinute.toFixed(1)}/min, ETA ${done >= total ? '0s' : eta}`;
  };

  const text = (view: RequestView, bar: boolean): string => {
    const done = view.total - view.pending;
    const pct = view.total === 0 ? 100 : Math.floor((done * 100) / view.total);
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const gauge = bar ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
    return `${gauge}${done}/${view.total} (${pct} %)  ${countsText(view.counts)}  ${rateText(done, view.total)}`;
  };

  return {
    update(view) {
      if (out.interactive) {
        out.redraw(text(view, true));
        return;
      }
      const done = view.total - view.pending;
      const step = view.total === 0 ? 20 : Math.floor((done * 20) / view.total);
      const line = text(view, false); // always sampled, so the rate covers every poll
      if (step > lastStep) {
        lastStep = step;
        out.line(`progress ${line}`);
      }
    },
    finish(view) {
      // The redrawn line ends with the next line printed (the summary).
      this.update(view);
    },
  };
}
