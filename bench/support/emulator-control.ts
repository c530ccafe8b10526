// The emulator's control API (/_emulator, DESIGN §6) as the benchmarks use it: load a tenant, set latency and the
// throttle profile, read the request log. Plain fetch; TLS trust comes from NODE_EXTRA_CA_CERTS (see run.ts).
import type { EmulatorEnv, TenantFixture } from '../../dev/graph-emulator/types.js';

export interface LoggedGraphRequest {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** 0 when fault injection dropped the connection. */
  readonly status: number;
  readonly app: string | null;
  /** ISO time at which the emulator answered. */
  readonly time: string;
  readonly requestId: string;
  readonly batch?: boolean;
}

export class EmulatorControl {
  constructor(readonly url: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`emulator ${method} /_emulator/${path}: ${response.status} ${text.slice(0, 2000)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  env(): Promise<EmulatorEnv> {
    return this.call('GET', 'env') as Promise<EmulatorEnv>;
  }

  async loadTenant(fixture: TenantFixture): Promise<void> {
    await this.call('PUT', 'tenant', fixture);
  }

  /** Fixed latency per Graph call (min = max), no injected errors; `0` removes all faults. */
  async setLatency(latencyMs: number): Promise<void> {
    if (latencyMs <= 0) await this.call('DELETE', 'faults');
    else await this.call('PUT', 'faults', { seed: 1, latencyMs: { min: latencyMs, max: latencyMs } });
  }

  async setThrottle(
    profile: 'documented' | 'off',
    timeScale = 1,
    writeShape: 'fixed-window' | 'token-bucket' = 'fixed-window',
  ): Promise<void> {
    await this.call('PUT', 'throttle', { profile, timeScale, writeShape });
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', 'requests');
  }

  async requests(since?: number): Promise<{ lastSeq: number; value: LoggedGraphRequest[] }> {
    return this.call('GET', since === undefined ? 'requests' : `requests?since=${since}`) as Promise<{
      lastSeq: number;
      value: LoggedGraphRequest[];
    }>;
  }

  async user(key: string): Promise<{ methods: { '@odata.type': string; id: string }[] }> {
    return this.call('GET', `users/${encodeURIComponent(key)}`) as Promise<{
      methods: { '@odata.type': string; id: string }[];
    }>;
  }
}

/** Writes as Graph counts them for the write quota: POST, PATCH, PUT and DELETE (research §7.3). */
export function isWrite(method: string): boolean {
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
}

/** Graph requests only (the log also holds nothing else today, but token endpoints must never count). */
export function isGraphPath(path: string): boolean {
  return path.startsWith('/v1.0/') || path.startsWith('/beta/');
}
