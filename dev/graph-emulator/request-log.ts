/** The log of Graph requests received, in a bounded ring so benchmarks at thousands of requests per second stay flat. */

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  /** 0 when the connection was dropped by fault injection. */
  status: number;
  /** appId (azp) of the caller's token, when it had a valid one. */
  app: string | null;
  time: string;
  requestId: string;
  batch?: boolean;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly capacity = 200_000) {}

  add(entry: Omit<LoggedRequest, 'seq' | 'time'>): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, time: new Date().toISOString(), ...entry });
    if (this.entries.length > this.capacity * 1.25) this.entries = this.entries.slice(-this.capacity);
  }

  clear(): void {
    this.entries = [];
  }

  get lastSeq(): number {
    return this.seq;
  }

  query(filter: { since?: number; method?: string; path?: string; status?: number; app?: string }): LoggedRequest[] {
    return this.entries.filter(
      (e) =>
        (filter.since === undefined || e.seq > filter.since) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || e.path.includes(filter.path)) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.app === undefined || e.app === filter.app),
    );
  }
}
