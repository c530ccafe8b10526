// The reset engine over Microsoft Graph, composed once for the worker (compose.ts, the managed identity) and for the
// CLI's --direct mode (src/cli/direct, the admin's delegated token): one Graph port (our throttle-and-retry chain and
// the adaptive limiter), the engine with the guard's configuration, and the Temporary Access Pass calls on that port.
import type { TokenCredential } from '@azure/identity';
import type { GraphPort, ResetEngine, TapGraphPort } from '../lib/domain/index.js';
import { createGraphPort, createTapGraph, type GraphPortOptions, type GraphPortWithStats } from '../lib/graph/index.js';
import { createResetEngine } from '../lib/reset/index.js';

export interface EngineSettings {
  /** GRAPH_BASE_URL. */
  readonly baseUrl: string;
  readonly credential: TokenCredential;
  /** GRAPH_MAX_CONCURRENCY: ceiling of Graph calls in flight. */
  readonly maxConcurrency: number;
  /** GRAPH_MAX_WAIT_SECONDS × 1000: a longer wait Graph asks for comes back as RetryLaterError. */
  readonly maxWaitMs: number;
  readonly protectedUsers: readonly string[];
  readonly protectedGroupIds: readonly string[];
  /** The worker's shared write budget and pacing (absent: this process's own, as --direct uses). */
  readonly writeBudget?: GraphPortOptions['writeBudget'];
  /** Told of every in-process retry (throttling, 503/504, dropped connections). */
  readonly onRetry?: (retry: { readonly status: number | undefined; readonly method: string }) => void;
  /** Wraps the port the engine uses (the direct mode words Graph's refusals for a person, not the worker). */
  readonly decoratePort?: (port: GraphPort) => GraphPort;
}

export interface ComposedEngine {
  /** The port as built: its limiter, write-quota state and raw `send`. */
  readonly graph: GraphPortWithStats;
  readonly engine: ResetEngine;
  readonly tapGraph: TapGraphPort;
}

export function composeEngine(settings: EngineSettings): ComposedEngine {
  const graph = createGraphPort({
    baseUrl: settings.baseUrl,
    credential: settings.credential,
    maxConcurrency: settings.maxConcurrency,
    maxWaitMs: settings.maxWaitMs,
    ...(settings.writeBudget ? { writeBudget: settings.writeBudget } : {}),
    ...(settings.onRetry ? { retry: { onRetry: settings.onRetry } } : {}),
  });
  const engine = createResetEngine({
    graph: settings.decoratePort ? settings.decoratePort(graph) : graph,
    protectedUsers: settings.protectedUsers,
    protectedGroupIds: settings.protectedGroupIds,
  });
  return { graph, engine, tapGraph: createTapGraph(graph) };
}
