// A process-wide adaptive limit on concurrent Graph calls (AIMD, as TCP congestion control): the limit grows fast
// until the first throttle (slow start), then by about one per window of successful calls, and halves on a 429, at most once per "generation" of calls, so a burst of
// 429s from calls that were all started under the old limit counts as one signal. Bounded by [1, maxConcurrency].

export interface LimiterPermit {
  /** The call got an answer that was not a throttle: grow a little. */
  success(): void;
  /** The call was throttled (429): shrink, once per generation. */
  throttled(): void;
  /** The call ended without a signal (transport error, 5xx): just free the slot. */
  release(): void;
}

export interface AdaptiveLimiterOptions {
  readonly maxConcurrency: number;
  /** Starting limit; defaults to min(4, maxConcurrency). */
  readonly initial?: number;
  /** Multiplicative decrease factor on a throttle; default 0.5. */
  readonly decrease?: number;
}

export interface AdaptiveLimiterStats {
  readonly limit: number;
  readonly inFlight: number;
  readonly waiting: number;
  readonly maxConcurrency: number;
  readonly decreases: number;
}

export class AdaptiveLimiter {
  readonly maxConcurrency: number;
  private readonly decreaseFactor: number;
  private limitValue: number;
  private inFlight = 0;
  private generation = 0;
  private decreases = 0;
  private readonly queue: { resolve: (permit: LimiterPermit) => void; reject: (e: unknown) => void }[] = [];

  constructor(options: AdaptiveLimiterOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) {
      throw new RangeError('maxConcurrency must be an integer ≥ 1');
    }
    this.maxConcurrency = options.maxConcurrency;
    this.decreaseFactor = options.decrease ?? 0.5;
    this.limitValue = clamp(options.initial ?? Math.min(4, options.maxConcurrency), 1, this.maxConcurrency);
  }

  get limit(): number {
    return Math.floor(this.limitValue);
  }

  stats(): AdaptiveLimiterStats {
    return {
      limit: this.limit,
      inFlight: this.inFlight,
      waiting: this.queue.length,
      maxConcurrency: this.maxConcurrency,
      decreases: this.decreases,
    };
  }

  /** Waits for a slot. Every permit must end with exactly one of success(), throttled() or release(). */
  acquire(signal?: AbortSignal): Promise<LimiterPermit> {
    signal?.throwIfAborted();
    if (this.inFlight < this.limit && this.queue.length === 0) {
      return Promise.resolve(this.grant());
    }
    return new Promise<LimiterPermit>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.queue.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) {
            this.queue.splice(index, 1);
            reject(abortReason(signal));
          }
        },
        { once: true },
      );
    });
  }

  private grant(): LimiterPermit {
    this.inFlight += 1;
    const generation = this.generation;
    let done = false;
    const finish = (effect: () => void): void => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
      effect();
      this.drain();
    };
    return {
      success: () =>
        finish(() => {
          // Slow start until the first throttle (+1 per success), then additive increase (+1 per `limit` successes).
          const step = this.decreases === 0 ? 1 : 1 / Math.max(1, this.limit);
          this.limitValue = Math.min(this.maxConcurrency, this.limitValue + step);
        }),
      throttled: () =>
        finish(() => {
          if (generation !== this.generation) return; // already reacted to this burst
          this.generation += 1;
          this.decreases += 1;
          this.limitValue = Math.max(1, Math.floor(this.limitValue * this.decreaseFactor));
        }),
      release: () => finish(() => undefined),
    };
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.limit) {
      const next = this.queue.shift()!;
      next.resolve(this.grant());
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('The operation was aborted');
}
