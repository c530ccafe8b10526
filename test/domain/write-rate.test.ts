// The AIMD write rate (src/lib/domain/write-budget.ts) on its own, and against the two limiter shapes the emulator
// offers (a fixed window of 3,000 writes per 150 s, a bucket of 300 refilled over 15 s), simulated in virtual time
// with a writer that always has work: the rate must use what the limit admits without being refused often.
import { describe, expect, it } from 'vitest';
import { WriteRate, defaultWritePacing } from '../../src/lib/domain/index.js';

describe('WriteRate', () => {
  it('spaces send slots 1/rate apart and grows only while writes queue for them', () => {
    const rate = new WriteRate({ ...defaultWritePacing, initialPerSecond: 10, burstMs: 0 });
    expect(rate.reserve(0)).toBe(0);
    expect(rate.perSecond).toBe(10); // the first write did not wait: no signal that the rate is what limits us
    expect(rate.reserve(0)).toBeCloseTo(100, 5);
    expect(rate.perSecond).toBeGreaterThan(10);
    const idle = new WriteRate({ ...defaultWritePacing, initialPerSecond: 10 });
    for (let t = 0; t < 10_000; t += 500) expect(idle.reserve(t)).toBe(0); // 2 writes/s against a rate of 10
    expect(idle.perSecond).toBe(10);
  });

  it('lets a pause worth of writes (up to burstMs) go at once, then paces', () => {
    const rate = new WriteRate({ ...defaultWritePacing, initialPerSecond: 10, burstMs: 1000 });
    const at = 60_000; // after a long pause
    const waits = Array.from({ length: 12 }, () => rate.reserve(at));
    // The write now, plus one second's worth at 10 writes/s.
    expect(waits.slice(0, 11)).toEqual(Array(11).fill(0));
    expect(waits[11]).toBeCloseTo(100, 5);
  });

  it('doubles about once a second until the first throttle, then adds about increasePerSecond each second', () => {
    const rate = new WriteRate({ ...defaultWritePacing, initialPerSecond: 4, burstMs: 0 });
    let t = 0;
    while (t < 2000) t += rate.reserve(t);
    expect(rate.perSecond).toBeGreaterThan(12);
    expect(rate.perSecond).toBeLessThan(20);
    expect(rate.throttled({ atMs: t, untilMs: t + 1000 })).toBe(true);
    const after = rate.perSecond;
    const start = t;
    while (t < start + 10_000) t += rate.reserve(t);
    expect(rate.perSecond - after).toBeCloseTo(10 * defaultWritePacing.increasePerSecond, 0);
  });

  it('shrinks once per throttle episode, however many 429s answer the writes already in flight', () => {
    const rate = new WriteRate({ ...defaultWritePacing, initialPerSecond: 20 });
    expect(rate.throttled({ atMs: 1000, untilMs: 2000 })).toBe(true);
    expect(rate.perSecond).toBeCloseTo(20 * defaultWritePacing.decrease);
    expect(rate.throttled({ atMs: 1100, untilMs: 2100 })).toBe(false); // same burst
    expect(rate.throttled({ atMs: 2900, untilMs: 3900 })).toBe(false); // within episodeMs of the first
    expect(rate.throttled({ atMs: 3100, untilMs: 4100 })).toBe(true);
    expect(rate.decreases).toBe(2);
    for (let i = 0; i < 50; i++) rate.throttled({ atMs: 10_000 * (i + 1), untilMs: 10_000 * (i + 1) + 1000 });
    expect(rate.perSecond).toBe(defaultWritePacing.minPerSecond);
  });
});

type Limit = (t: number) => { ok: true } | { ok: false; retryAfterMs: number };

/** 300 writes refilled over 15 s; Retry-After in whole seconds, as Graph sends it. */
function tokenBucket(): Limit {
  let tokens = 300;
  let last = 0;
  return (t) => {
    tokens = Math.min(300, tokens + ((t - last) * 300) / 15_000);
    last = t;
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) * 15_000) / 300 / 1000) * 1000 };
    tokens -= 1;
    return { ok: true };
  };
}

/** 3,000 writes in a window of 150 s that opens at the first write. */
function fixedWindow(): Limit {
  let start = Number.NEGATIVE_INFINITY;
  let count = 0;
  return (t) => {
    if (t >= start + 150_000) {
      start = t;
      count = 0;
    }
    if (count >= 3000) return { ok: false, retryAfterMs: Math.ceil((start + 150_000 - t) / 1000) * 1000 };
    count += 1;
    return { ok: true };
  };
}

/**
 * A writer with endless work, 100 ms per call: each write takes the next slot, a refusal is known 100 ms after it
 * was sent, closes the gate until its Retry-After and shrinks the rate. Returns accepted write times and refusals.
 */
function simulate(limit: Limit, durationMs: number): { accepted: number[]; refused: number } {
  const rate = new WriteRate();
  const accepted: number[] = [];
  const answers: { at: number; sentAt: number; untilMs: number }[] = [];
  let refused = 0;
  let gateUntil = 0;
  let t = 0;
  while (t < durationMs) {
    const sendAt = t + rate.reserve(t);
    while (answers.length > 0 && answers[0].at <= sendAt) {
      const answer = answers.shift()!;
      gateUntil = Math.max(gateUntil, answer.untilMs);
      rate.throttled({ atMs: answer.at, untilMs: answer.untilMs });
    }
    if (sendAt < gateUntil) {
      t = gateUntil;
      continue;
    }
    const verdict = limit(sendAt);
    if (verdict.ok) accepted.push(sendAt);
    else {
      refused += 1;
      answers.push({ at: sendAt + 100, sentAt: sendAt, untilMs: sendAt + 100 + verdict.retryAfterMs });
    }
    t = sendAt;
  }
  return { accepted, refused };
}

describe('WriteRate against the limiter shapes (virtual time)', () => {
  it('uses a token bucket (300 refilled over 15 s) to ≥ 0.95 with ≤ 1 % of writes refused', () => {
    const { accepted, refused } = simulate(tokenBucket(), 600_000);
    const admissible = 300 + 20 * 600;
    expect(accepted.length / admissible).toBeGreaterThanOrEqual(0.95);
    expect(refused / (accepted.length + refused)).toBeLessThanOrEqual(0.01);
  });

  it('fills every fixed window (3,000 per 150 s) with ≤ 1 % of writes refused', () => {
    const { accepted, refused } = simulate(fixedWindow(), 600_000);
    const windows = new Map<number, number>();
    let start = Number.NEGATIVE_INFINITY;
    for (const t of accepted) {
      if (t >= start + 150_000) start = t;
      windows.set(start, (windows.get(start) ?? 0) + 1);
    }
    const complete = [...windows.values()].slice(0, -1);
    expect(complete.length).toBeGreaterThanOrEqual(3);
    for (const writes of complete) expect(writes / 3000).toBeGreaterThanOrEqual(0.95);
    expect(refused / (accepted.length + refused)).toBeLessThanOrEqual(0.01);
  });
});
