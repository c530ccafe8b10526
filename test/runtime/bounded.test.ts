// The one bounded-concurrency helper (src/lib/concurrency/bounded.ts): order, the bound, and the two failure modes.
import { describe, expect, it } from 'vitest';
import { mapBounded, mapBoundedSettled, range, settleAll } from '../../src/lib/concurrency/bounded.js';

class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/** A task that tracks how many calls are in flight and yields before finishing. */
function tracked<R>(work: (n: number) => R | Promise<R>) {
  const state = { inFlight: 0, peak: 0, started: [] as number[] };
  const fn = async (n: number): Promise<R> => {
    state.started.push(n);
    state.inFlight += 1;
    state.peak = Math.max(state.peak, state.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await work(n);
    } finally {
      state.inFlight -= 1;
    }
  };
  return { state, fn };
}

describe('mapBounded', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    const { state, fn } = tracked((n) => n * 2);
    expect(await mapBounded(range(0, 50), 4, fn)).toEqual(range(0, 50).map((n) => n * 2));
    expect(state.peak).toBe(4);
    expect(await mapBounded([], 4, fn)).toEqual([]);
  });

  it('fails fast: throws the first failure and starts nothing after it', async () => {
    const { state, fn } = tracked((n) => {
      if (n === 3) throw new Error('boom 3');
      return n;
    });
    await expect(mapBounded(range(0, 100), 2, fn)).rejects.toThrow('boom 3');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.started.length).toBeLessThan(10);
  });
});

describe('mapBoundedSettled and settleAll', () => {
  it('run every call before failing, and prefer a definite error over a RetryLaterError', async () => {
    const { state, fn } = tracked((n) => {
      if (n === 1) throw new RetryLaterError('wait');
      if (n === 5) throw new Error('definite');
      return n;
    });
    await expect(mapBoundedSettled(range(0, 10), 3, fn)).rejects.toThrow('definite');
    expect(state.started).toHaveLength(10);
    expect(state.inFlight).toBe(0);
    await expect(settleAll([Promise.reject(new RetryLaterError('wait')), Promise.resolve(1)])).rejects.toThrow('wait');
    await expect(
      settleAll([Promise.reject(new RetryLaterError('wait')), Promise.reject(new Error('definite'))]),
    ).rejects.toThrow('definite');
    expect(await settleAll([Promise.resolve(1), Promise.resolve('a')] as const)).toEqual([1, 'a']);
  });
});
