/**
 * Seeded fault injection: 429/503/504, dropped connections and latency, reproducible from the seed (one draw per
 * eligible request, in arrival order), optionally limited to a path pattern and to some methods. Scripted only (in
 * `sequence`): a 403 as if a permission were missing, and answers a client must not trust whole (a list page without
 * `value`, a nextLink to another host or to the other API version), for tests of clients that must fail closed.
 */
import type { GraphRequest, GraphResponse } from './graph-types.js';
import { seededRandom } from './ids.js';

/** Faults that change a successful answer instead of replacing it. */
export type AnswerFault = 'noValue' | 'foreignNextLink' | 'otherVersionNextLink';

export type FaultKind = 429 | 403 | 503 | 504 | 'reset' | AnswerFault;

export const ANSWER_FAULTS: readonly AnswerFault[] = ['noValue', 'foreignNextLink', 'otherVersionNextLink'];

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

/** The answer as an answer fault changes it; anything but a 200 with a JSON object body is left alone. */
export function corruptAnswer(
  result: GraphResponse,
  req: Pick<GraphRequest, 'version' | 'rawSegments'>,
  fault: AnswerFault,
): GraphResponse {
  const body = result.body;
  if (result.status !== 200 || body === null || typeof body !== 'object' || Array.isArray(body)) return result;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const path = req.rawSegments.join('/');
  if (fault === 'noValue') delete out.value;
  else if (fault === 'foreignNextLink') out['@odata.nextLink'] = `https://elsewhere.invalid/${req.version}/${path}`;
  else {
    // Same host, the other API version: the root comes from the page's own @odata.context.
    const context = typeof out['@odata.context'] === 'string' ? out['@odata.context'] : '';
    const root = context.slice(0, Math.max(0, context.indexOf(`/${req.version}/`)));
    out['@odata.nextLink'] = `${root}/${req.version === 'v1.0' ? 'beta' : 'v1.0'}/${path}`;
  }
  return { ...result, body: out, injected: true };
}
