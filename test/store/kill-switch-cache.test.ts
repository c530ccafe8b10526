// The kill-switch cache: at most one read per TTL, so a change reaches every instance within the TTL (< 5 s), and a
// failed read keeps the last known mode instead of failing the work.
import { describe, expect, it } from 'vitest';
import type { KillSwitchState } from '../../src/lib/domain/index.js';
import { cachedKillSwitch } from '../../src/lib/store/index.js';

describe('cachedKillSwitch', () => {
  it('serves the cached mode within the TTL, reads again after it, and keeps the last mode when a read fails', async () => {
    let nowMs = 0;
    let reads = 0;
    let stored: KillSwitchState | Error = { mode: 'off' };
    const read = cachedKillSwitch(
      () => {
        reads += 1;
        return stored instanceof Error ? Promise.reject(stored) : Promise.resolve(stored);
      },
      4000,
      () => nowMs,
    );
    expect(await read()).toEqual({ mode: 'off' });
    stored = { mode: 'pause', reason: 'incident' };
    nowMs = 3999;
    expect((await read()).mode).toBe('off');
    nowMs = 4000;
    expect((await read()).mode).toBe('pause');
    expect(reads).toBe(2);
    stored = new Error('table unreachable');
    nowMs = 9000;
    expect((await read()).mode).toBe('pause');
    // Concurrent callers share one read.
    stored = { mode: 'cancel' };
    nowMs = 20_000;
    const [a, b] = await Promise.all([read(), read()]);
    expect([a.mode, b.mode]).toEqual(['cancel', 'cancel']);
    expect(reads).toBe(4);
  });
});
