import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, parseRetryAfter, retryAfterDelay } from '../../src/lib/graph/retry-policy.js';

const now = Date.parse('2026-11-27T12:00:00Z');
const base = {
  attempt: 1,
  maxAttempts: 5,
  idempotent: true,
  waitedMs: 0,
  maxWaitMs: 30_000,
  nowMs: now,
  random: () => 0.5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

describe('Retry-After', () => {
  it('reads delay-seconds, fractions and HTTP dates', () => {
    expect(parseRetryAfter('10', now)).toBe(10_000);
    expect(parseRetryAfter('2.128', now)).toBe(2_128);
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('is honoured in full with at most 10 % (≤ 1 s) of jitter on top', () => {
    expect(retryAfterDelay(4_000, () => 0)).toBe(4_000);
    expect(retryAfterDelay(4_000, () => 1)).toBe(4_400);
    expect(retryAfterDelay(60_000, () => 1)).toBe(61_000);
  });
});

describe('backoff', () => {
  it('grows exponentially, is jittered and capped', () => {
    const opts = { baseDelayMs: 200, maxDelayMs: 5_000 };
    expect(backoffDelay(1, opts, () => 0)).toBe(100);
    expect(backoffDelay(1, opts, () => 1)).toBe(200);
    expect(backoffDelay(3, opts, () => 1)).toBe(800);
    expect(backoffDelay(20, opts, () => 1)).toBe(5_000);
    expect(backoffDelay(20, opts, () => 0)).toBe(2_500);
  });
});

describe('decideRetry', () => {
  it('retries 429/503/504 and transport failures of idempotent calls, nothing else', () => {
    expect(decideRetry(200, null, base)).toEqual({ kind: 'done' });
    expect(decideRetry(400, null, base)).toEqual({ kind: 'done' });
    expect(decideRetry(500, null, base)).toEqual({ kind: 'done' });
    expect(decideRetry(429, '3', base)).toEqual({ kind: 'retry', delayMs: 3_150 });
    expect(decideRetry(503, null, base).kind).toBe('retry');
    expect(decideRetry(504, null, base).kind).toBe('retry');
    expect(decideRetry(undefined, null, base).kind).toBe('retry');
  });

  it('repeats a non-idempotent call only after a 429 (Graph did not run it)', () => {
    const post = { ...base, idempotent: false };
    expect(decideRetry(429, '1', post).kind).toBe('retry');
    expect(decideRetry(503, '1', post)).toEqual({ kind: 'done' });
    expect(decideRetry(504, null, post)).toEqual({ kind: 'done' });
    expect(decideRetry(undefined, null, post)).toEqual({ kind: 'done' });
  });

  it('hands a wait beyond the budget, or the last attempt, to the caller', () => {
    expect(decideRetry(429, '120', base)).toEqual({ kind: 'defer', delayMs: 120_500 });
    expect(decideRetry(429, '5', { ...base, waitedMs: 26_000 })).toEqual({ kind: 'defer', delayMs: 5_250 });
    expect(decideRetry(503, null, { ...base, attempt: 5 }).kind).toBe('defer');
  });
});
