/**
 * Seeded fault injection: 429/503/504, dropped connections and latency, reproducible from the seed (one draw per
 * eligible request, in arrival order), optionally limited to a path pattern and to some methods.
 */
import { seededRandom } from './ids.js';

export type FaultKind = 429 | 503 | 504 | 'reset';

export interface FaultConfig {
  seed: number;
  latencyMs?: { min: number; max: number };
  rates?: { '429'?: number; '503'?: number; '504'?: number; reset?: number };
  /** Regular expression matched against the request path (e.g. '/authentication/'). */
  path?: string;
  /** Only these methods (e.g. ['DELETE']). */
  methods?: string[];
  /** Retry-After on injected 429/503: seconds (default 1), 'none' to omit, or 'http-date'. */
  retryAfter?: number | 'none' | 'http-date';
  /** Scripted outcomes consumed before the random rates, e.g. [429, 429, 'ok']. */
  sequence?: (FaultKind | 'ok')[];
}

export interface FaultDecision {
  fault?: FaultKind;
  latencyMs: number;
}

export class Faults {
  private config: FaultConfig | undefined;
  private random: () => number = Math.random;
  private pattern: RegExp | undefined;
  private methods: Set<string> | undefined;
  private sequence: (FaultKind | 'ok')[] = [];
  private injected = 0;

  get current(): (FaultConfig & { injected: number }) | null {
    return this.config ? { ...this.config, injected: this.injected } : null;
  }

  configure(config: FaultConfig | null): void {
    this.config = config ?? undefined;
    this.random = seededRandom(config?.seed ?? 0);
    this.pattern = config?.path ? new RegExp(config.path) : undefined;
    this.methods = config?.methods ? new Set(config.methods.map((m) => m.toUpperCase())) : undefined;
    this.sequence = [...(config?.sequence ?? [])];
    this.injected = 0;
  }

  decide(method: string, path: string): FaultDecision {
    const c = this.config;
    if (!c) return { latencyMs: 0 };
    if (this.methods && !this.methods.has(method)) return { latencyMs: 0 };
    if (this.pattern && !this.pattern.test(path)) return { latencyMs: 0 };
    // Always two draws per eligible request, so the sequence does not depend on which faults are enabled.
    const r = this.random();
    const l = this.random();
    const latencyMs = c.latencyMs
      ? Math.round(c.latencyMs.min + l * Math.max(0, c.latencyMs.max - c.latencyMs.min))
      : 0;
    let fault: FaultKind | undefined;
    const scripted = this.sequence.shift();
    if (scripted !== undefined) {
      fault = scripted === 'ok' ? undefined : scripted;
    } else {
      const rates = c.rates ?? {};
      let acc = 0;
      for (const [kind, rate] of [
        [429, rates['429']],
        [503, rates['503']],
        [504, rates['504']],
        ['reset', rates.reset],
      ] as const) {
        acc += rate ?? 0;
        if (r < acc) {
          fault = kind;
          break;
        }
      }
    }
    if (fault !== undefined) this.injected += 1;
    return { fault, latencyMs };
  }

  retryAfterHeader(): Record<string, string> {
    const ra = this.config?.retryAfter ?? 1;
    if (ra === 'none') return {};
    if (ra === 'http-date') return { 'retry-after': new Date(Date.now() + 1000).toUTCString() };
    return { 'retry-after': String(ra) };
  }
}
