import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../src/lib/graph/adaptive-limiter.js';

describe('AdaptiveLimiter', () => {
  it('never lets more than the current limit run at once', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 8, initial: 3 });
    let running = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      const permit = await limiter.acquire();
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running--;
      permit.release();
    };
    await Promise.all(Array.from({ length: 50 }, task));
    expect(peak).toBe(3);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('grows while calls succeed, up to maxConcurrency: fast at first, additively after a throttle', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 12, initial: 1 });
    for (let i = 0; i < 5; i++) (await limiter.acquire()).success();
    expect(limiter.limit).toBe(6);
    (await limiter.acquire()).throttled();
    expect(limiter.limit).toBe(3);
    for (let i = 0; i < 3; i++) (await limiter.acquire()).success();
    expect(limiter.limit).toBe(4);
    for (let i = 0; i < 500; i++) (await limiter.acquire()).success();
    expect(limiter.limit).toBe(12);
  });

  it('halves on a throttle, once per generation of calls, never below 1', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 16, initial: 16 });
    const burst = await Promise.all(Array.from({ length: 16 }, () => limiter.acquire()));
    for (const permit of burst) permit.throttled(); // 16 throttles from one burst: one decrease
    expect(limiter.limit).toBe(8);
    expect(limiter.stats().decreases).toBe(1);
    for (let i = 0; i < 10; i++) (await limiter.acquire()).throttled();
    expect(limiter.limit).toBe(1);
  });

  it('lets a waiting caller give up through its AbortSignal', async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1, initial: 1 });
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    held.release();
    expect(limiter.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
  });
});
