// What a write must pass before it is sent (issue 16): the process-wide gate (write-gate.ts), the deadline other
// instances published in the shared record (read through a short cache), and this instance's paced write rate.
// Storage is only ever a reason to write less: when the shared record cannot be read or written, the instance goes on
// with its own gate and rate, exactly as a single instance would.
import type { SharedWriteBudget, WritePacingOptions, WriteQuotaSpent } from '../domain/index.js';
import { WriteRate } from '../domain/index.js';
import { WriteGate } from './write-gate.js';

export interface WriteBudgetGateOptions {
  /** The shared record; absent: this instance keeps to its own gate (WRITE_BUDGET_SHARED=false). */
  readonly shared?: SharedWriteBudget;
  /** How long a read of the shared record is trusted (default 1,000 ms): the staleness bound. */
  readonly cacheMs?: number;
  /** A read of the shared record slower than this is given up for this round (default 1,000 ms). */
  readonly readTimeoutMs?: number;
  /**
   * How long a write waits for a refresh of the shared record (default 100 ms, several table reads); a slower read goes
   * on in the background and the write goes by what the instance knew, so slow storage never slows the writes.
   */
  readonly refreshWaitMs?: number;
  /** AIMD pacing of writes; false: no pacing (writes go as fast as the concurrency limit lets them). */
  readonly pacing?: WritePacingOptions | false;
  readonly now?: () => number;
  /** The shared record failed (read or publish); the instance carries on with its local gate. No personal data. */
  readonly onSharedFailure?: (what: 'read' | 'publish', error: unknown) => void;
}

/** A shared deadline that ended longer ago than this does not slow an instance down. */
const staleRecordMs = 60_000;

export class WriteBudgetGate {
  private readonly local = new WriteGate();
  readonly rate: WriteRate | undefined;
  private readonly now: () => number;
  private readonly cacheMs: number;
  private readonly readTimeoutMs: number;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private seenUntilMs = 0;

  constructor(private readonly options: WriteBudgetGateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? 1000;
    this.readTimeoutMs = options.readTimeoutMs ?? 1000;
    this.rate = options.pacing === false ? undefined : new WriteRate(options.pacing);
  }

  /** How long writes must still wait, as far as this instance knows now (no storage call). */
  remainingNowMs(): number {
    return this.local.remainingMs(this.now());
  }

  /**
   * How long writes must still wait, after refreshing the shared deadline when the cached one is older than the cache
   * time (waiting for the read at most refreshWaitMs).
   */
  async remainingMs(): Promise<number> {
    if (this.options.shared && this.now() - this.readAt >= this.cacheMs) {
      // One read per period: writes that come while it is under way go by what the instance knows.
      this.readAt = this.now();
      this.reading ??= this.refresh().finally(() => (this.reading = undefined));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.reading,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.refreshWaitMs ?? 100))),
      ]);
      clearTimeout(timer);
    }
    return this.remainingNowMs();
  }

  /** Takes this write's send slot: how long to wait before sending (0 without pacing). */
  reserveSlot(): number {
    return this.rate?.reserve(this.now()) ?? 0;
  }

  /** Graph refused a write for the write quota and asked to wait `retryAfterMs`: close the gate, slow down, tell the others. */
  spent(retryAfterMs: number): void {
    const atMs = this.now();
    const spent: WriteQuotaSpent = { atMs, untilMs: atMs + retryAfterMs };
    this.learn(spent);
    this.options.shared?.publish(spent).catch((error: unknown) => this.options.onSharedFailure?.('publish', error));
  }

  private learn(spent: WriteQuotaSpent): void {
    this.local.block(spent.untilMs - this.now(), this.now());
    this.seenUntilMs = Math.max(this.seenUntilMs, spent.untilMs);
    this.rate?.throttled(spent);
  }

  private async refresh(): Promise<void> {
    const shared = this.options.shared;
    if (!shared) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      const spent = await Promise.race([
        shared.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.readTimeoutMs} ms`)), this.readTimeoutMs);
        }),
      ]);
      // A deadline this instance has not seen yet: another instance was refused, so this one stops and slows too.
      // (A record from long ago only moves the mark: it says nothing about the rate Graph grants now.)
      if (spent && spent.untilMs > this.seenUntilMs) {
        if (spent.untilMs > this.now() - staleRecordMs) this.learn(spent);
        else this.seenUntilMs = spent.untilMs;
      }
    } catch (error) {
      this.options.onSharedFailure?.('read', error);
    } finally {
      clearTimeout(timer);
      // A failed read is retried after the cache time too, so an unreachable storage costs one wait per period.
      this.readAt = this.now();
    }
  }
}
