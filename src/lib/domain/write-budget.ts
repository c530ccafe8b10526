// Graph's write budget (issue 16). Graph's write quota is per application and tenant, not per worker instance: every
// instance spends the same budget. Two things keep a fleet of instances within it:
// - the shared deadline: once any instance is told the quota is spent (a 429 with WriteLimitExceeded and Retry-After),
//   it publishes "no writes until T" in a small shared record, and every instance stops writing until T;
// - pacing: each instance sends writes at a learned rate (additive increase while its writes queue for the rate,
//   multiplicative decrease once per throttle episode, its own or one seen in the shared record), so the fleet
//   approaches the rate Graph grants instead of bursting until it is refused.

/** One throttle as the shared record holds it: when the 429 arrived and until when writes must wait (epoch ms). */
export interface WriteQuotaSpent {
  readonly atMs: number;
  readonly untilMs: number;
}

/** The shared record of Graph's write budget for one application and tenant (port; adapter in src/lib/store). */
export interface SharedWriteBudget {
  /** The latest deadline any instance published (undefined: none yet). Throws when storage cannot be read. */
  read(): Promise<WriteQuotaSpent | undefined>;
  /** Publishes a deadline; a later deadline already in the record is kept. Throws when storage cannot be written. */
  publish(spent: WriteQuotaSpent): Promise<void>;
}

export interface WritePacingOptions {
  /** Starting rate, writes per second. */
  readonly initialPerSecond: number;
  readonly minPerSecond: number;
  readonly maxPerSecond: number;
  /** Additive increase: writes/s added per second during which writes queued for the rate. */
  readonly increasePerSecond: number;
  /** Multiplicative decrease on a throttle episode (0 < decrease < 1). */
  readonly decrease: number;
  /** Throttles that arrive within this long of an episode's start (or before its deadline) are the same episode. */
  readonly episodeMs: number;
  /** After a pause, up to this much time's worth of writes may go at once (a reset's parallel deletes wait for no slot). */
  readonly burstMs: number;
}

export const defaultWritePacing: WritePacingOptions = {
  initialPerSecond: 20, // the documented write quota, 3,000 per 150 s per app and tenant
  minPerSecond: 0.5,
  maxPerSecond: 100, // 5 × the documented write quota (3,000 per 150 s per app and tenant)
  increasePerSecond: 0.25,
  decrease: 0.7,
  episodeMs: 2000,
  burstMs: 1000,
};

/**
 * The AIMD write rate of one instance. `reserve` hands out send times spaced 1/rate apart; a write that had to queue
 * for its slot shows the rate is what limits us, so it grows the rate by `increasePerSecond / rate` (about
 * `increasePerSecond` per second of queued writes). Until the first throttle the rate doubles each second instead
 * (slow start). `throttled` shrinks the rate once per episode, so the burst of 429s that answers writes already in
 * flight counts as one signal: to `decrease` × the rate, or to the rate Graph granted over the cycle that ended at
 * the deadline, whichever is lower.
 */
export class WriteRate {
  private rate: number;
  private nextSlotMs = 0;
  private episodeEndMs = Number.NEGATIVE_INFINITY;
  private throttles = 0;
  /** The current cycle (since the last deadline ended): sends, and how many of them queued for their slot. */
  private cycleStartMs: number | undefined;
  private cycleSends = 0;
  private cycleQueued = 0;

  constructor(private readonly options: WritePacingOptions = defaultWritePacing) {
    if (!(options.decrease > 0 && options.decrease < 1)) throw new RangeError('decrease must be in (0, 1)');
    if (!(options.minPerSecond > 0 && options.minPerSecond <= options.maxPerSecond)) {
      throw new RangeError('need 0 < minPerSecond ≤ maxPerSecond');
    }
    this.rate = clamp(options.initialPerSecond, options.minPerSecond, options.maxPerSecond);
  }

  /** Writes per second right now. */
  get perSecond(): number {
    return this.rate;
  }

  /** Throttle episodes that shrank the rate. */
  get decreases(): number {
    return this.throttles;
  }

  /** Takes the next send slot; returns how long to wait before sending (0: send now). */
  reserve(nowMs: number): number {
    // Slots 1/rate apart; time left unused in a pause is credited up to burstMs (the slot schedule never lags behind
    // now by more than that).
    const base = Math.max(this.nextSlotMs, nowMs - this.options.burstMs);
    const slot = Math.max(nowMs, base);
    const waitMs = slot - nowMs;
    this.cycleStartMs ??= nowMs;
    this.cycleSends += 1;
    if (waitMs > 0) {
      this.cycleQueued += 1;
      this.grow();
    }
    this.nextSlotMs = base + 1000 / this.rate;
    return waitMs;
  }

  /** Graph refused a write at `atMs` until `untilMs`: shrink once per episode. True when this call shrank the rate. */
  throttled(spent: WriteQuotaSpent): boolean {
    if (spent.atMs < this.episodeEndMs) return false;
    this.episodeEndMs = Math.max(spent.untilMs, spent.atMs + this.options.episodeMs);
    this.throttles += 1;
    let next = this.rate * this.options.decrease;
    // What Graph granted over the cycle, deadline included: sends ÷ time from the cycle's start to the deadline. A
    // fixed window answers a fast rate with a long Retry-After, so this says 3,000 per 150 s where halving would
    // still be far too fast. Only a cycle in which the rate was what held our writes back says what Graph grants.
    const start = this.cycleStartMs;
    if (start !== undefined && this.cycleSends >= 10 && this.cycleQueued * 2 >= this.cycleSends) {
      const cycleMs = spent.untilMs - start;
      if (cycleMs >= this.options.episodeMs) next = Math.min(next, (this.cycleSends * 1000) / cycleMs);
    }
    this.rate = clamp(next, this.options.minPerSecond, this.options.maxPerSecond);
    this.cycleStartMs = spent.untilMs;
    this.cycleSends = 0;
    this.cycleQueued = 0;
    // Slots already handed out at the old rate stay; the next one is spaced at the new rate, from the deadline on:
    // the pause the deadline imposes is no credit for a burst.
    this.nextSlotMs = Math.max(this.nextSlotMs, spent.untilMs);
    return true;
  }

  private grow(): void {
    const step =
      this.throttles === 0 ? this.rate * (2 ** (1 / this.rate) - 1) : this.options.increasePerSecond / this.rate;
    this.rate = clamp(this.rate + step, this.options.minPerSecond, this.options.maxPerSecond);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
