// The bulk progress display's rules: a plain line each time another 5 % is done (not a terminal), the rate from the
// service's own counts over the last minute, the time left at that rate, and one redrawn line on a terminal.
import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/cli/api-views.js';
import type { Output } from '../../src/cli/output.js';
import { createProgress, durationText } from '../../src/cli/progress.js';

function recorder(interactive: boolean): Output & { lines: string[]; drawn: string[] } {
  const lines: string[] = [];
  const drawn: string[] = [];
  return {
    interactive,
    lines,
    drawn,
    line: (t) => lines.push(t),
    note: () => undefined,
    redraw: (t) => drawn.push(t),
  };
}

const view = (done: number, total: number, failed = 0): RequestView => ({
  id: 'r',
  status: done === total ? 'completed' : 'running',
  total,
  pending: total - done,
  counts: { reset: done - failed, failed },
});

describe('bulk progress', () => {
  it('prints one plain line per 5 % step crossed, the first at 5 %, the last at 100 %', () => {
    const out = recorder(false);
    let t = 0;
    const progress = createProgress(out, () => t);
    // 200 users, 3 more done every second: a line at each 5 % (10 users), and none in between.
    for (let done = 0; done <= 200; done = Math.min(200, done + 3)) {
      progress.update(view(done, 200));
      t += 1000;
      if (done === 200) break;
    }
    const percents = out.lines.map((l) => Number(/\((\d+) %\)/.exec(l)?.[1]));
    expect(out.lines).toHaveLength(20);
    expect(percents[0]).toBe(6); // 12/200: the first poll past 5 %
    expect(percents.at(-1)).toBe(100);
    expect(out.lines.every((l) => l.startsWith('progress '))).toBe(true);
    expect(out.drawn).toEqual([]);
  });

  it('gives the rate the service achieved over the last minute, and the time left at that rate', () => {
    const out = recorder(false);
    let t = 0;
    const progress = createProgress(out, () => t);
    progress.update(view(0, 1000));
    t = 30_000;
    progress.update(view(60, 1000, 1)); // 60 users in 30 s: 120/min, 940 left: 7m50s
    expect(out.lines).toEqual(['progress 60/1000 (6 %)  reset 59, failed 1  120/min, ETA 7m50s']);
    // Slower later: the rate follows the samples of the last minute or so (from the newest one at least a minute
    // old: 60 users at 30 s), not the whole run: 50 users in 150 s is 20/min, 890 left is 44m30s.
    t = 150_000;
    progress.update(view(80, 1000));
    t = 180_000;
    progress.update(view(110, 1000));
    expect(out.lines.at(-1)).toBe('progress 110/1000 (11 %)  reset 110  20/min, ETA 44m30s');
  });

  it('redraws one line with a bar on a terminal, at every poll', () => {
    const out = recorder(true);
    const progress = createProgress(out, () => 0);
    progress.update(view(1, 4));
    progress.update(view(2, 4));
    expect(out.lines).toEqual([]);
    expect(out.drawn).toEqual([
      '[######------------------] 1/4 (25 %)  reset 1  rate –, ETA –',
      '[############------------] 2/4 (50 %)  reset 2  rate –, ETA –',
    ]);
  });

  it('writes durations briefly', () => {
    expect([durationText(4_400), durationText(125_000), durationText(3_780_000)]).toEqual(['4s', '2m05s', '1h03m']);
  });
});
