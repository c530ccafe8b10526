// Write-quota arithmetic over the emulator's request log: how many accepted writes fell into each quota window.
// Graph's app+tenant write quota is 3,000 writes per 150 s (research §7.3); the emulator's "documented" profile
// keeps a fixed window that opens at the first write and reopens at the first write after it expired, and the
// benchmark's windows are laid out the same way from the first accepted write. A client at the ceiling fills every
// complete window with 3,000 writes; the last window is partial (the work ran out), so it is not averaged.
import type { LoggedGraphRequest } from './emulator-control.js';
import { isGraphPath, isWrite } from './emulator-control.js';

export const appWriteLimit = { writes: 3000, windowMs: 150_000 } as const;

export interface WindowFigures {
  readonly windowMs: number;
  /** Accepted writes (any status but 429) per window, in order; the last one is usually partial. */
  readonly writesPerWindow: readonly number[];
  /** Mean of writes ÷ 3,000 over the complete windows (all but the last). */
  readonly utilisation: number | undefined;
  /** Accepted writes ÷ seconds from first to last accepted write, ÷ the ceiling rate (a burst at the start inflates it). */
  readonly rawRateRatio: number;
  readonly acceptedWrites: number;
  readonly firstWriteAt: number;
  readonly lastWriteAt: number;
}

/** Layout of the emulator's windows: a window opens at the first accepted write at or after the previous one's end. */
export function writeWindows(log: readonly LoggedGraphRequest[], timeScale: number): WindowFigures {
  const windowMs = appWriteLimit.windowMs * timeScale;
  const times = log
    .filter((r) => isGraphPath(r.path) && isWrite(r.method) && r.status !== 429 && r.status !== 0)
    .map((r) => Date.parse(r.time))
    .sort((a, b) => a - b);
  if (times.length === 0) throw new Error('no accepted Graph writes in the log');
  const perWindow: number[] = [];
  let windowEnd = -Infinity;
  for (const t of times) {
    if (t >= windowEnd) {
      perWindow.push(0);
      windowEnd = t + windowMs;
    }
    perWindow[perWindow.length - 1] += 1;
  }
  const complete = perWindow.slice(0, -1);
  const utilisation = complete.length
    ? complete.reduce((a, b) => a + b, 0) / (complete.length * appWriteLimit.writes)
    : undefined;
  const first = times[0];
  const last = times[times.length - 1];
  const ceilingPerMs = appWriteLimit.writes / windowMs;
  return {
    windowMs,
    writesPerWindow: perWindow,
    utilisation,
    rawRateRatio: times.length / Math.max(1, last - first) / ceilingPerMs,
    acceptedWrites: times.length,
    firstWriteAt: first,
    lastWriteAt: last,
  };
}

/** The emulator's token-bucket shape: 300 writes, refilled over 15 s (dev/graph-emulator/throttle.ts). */
export const appWriteBucket = { capacity: 300, refillMs: 15_000 } as const;

/**
 * Utilisation under the token bucket: windows of one refill period (15 s) from the first accepted write; over the
 * complete ones (all but the last, where the work ran out) the bucket could admit at most its capacity (full at the
 * start) plus one refill per window. A client at the ceiling scores 1.0.
 */
export function bucketWindows(log: readonly LoggedGraphRequest[], timeScale: number): WindowFigures {
  const windowMs = appWriteBucket.refillMs * timeScale;
  const times = acceptedWriteTimes(log);
  if (times.length === 0) throw new Error('no accepted Graph writes in the log');
  const first = times[0];
  const last = times[times.length - 1];
  const perWindow: number[] = [];
  for (const t of times) {
    const index = Math.floor((t - first) / windowMs);
    while (perWindow.length <= index) perWindow.push(0);
    perWindow[index] += 1;
  }
  const complete = perWindow.slice(0, -1);
  const admissible = appWriteBucket.capacity * (complete.length + 1);
  const ceilingPerMs = appWriteBucket.capacity / windowMs;
  return {
    windowMs,
    writesPerWindow: perWindow,
    utilisation: complete.length ? complete.reduce((a, b) => a + b, 0) / admissible : undefined,
    rawRateRatio: times.length / Math.max(1, last - first) / ceilingPerMs,
    acceptedWrites: times.length,
    firstWriteAt: first,
    lastWriteAt: last,
  };
}

function acceptedWriteTimes(log: readonly LoggedGraphRequest[]): number[] {
  return log
    .filter((r) => isGraphPath(r.path) && isWrite(r.method) && r.status !== 429 && r.status !== 0)
    .map((r) => Date.parse(r.time))
    .sort((a, b) => a - b);
}
