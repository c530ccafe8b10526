// Builds the real stack for engine tests: the emulator, the real managed-identity credential, the Graph port on
// @microsoft/microsoft-graph-client and the reset engine; plus a runner that behaves like the queue worker
// (keeps the snapshot from onPlanned and runs again after a RetryLaterError).
import type { TokenCredential } from '@azure/identity';
import { createGraphCredential, createGraphPort } from '../../../src/lib/graph/index.js';
import type { GraphPortWithStats } from '../../../src/lib/graph/index.js';
import type { MethodRef, ResetEngine, ResetOptions, ResetResult } from '../../../src/lib/domain/index.js';
import { RetryLaterError, defaultResetOptions } from '../../../src/lib/domain/index.js';
import { createResetEngine } from '../../../src/lib/reset/index.js';
import type { TestEmulator } from '../../support/emulator.js';
import { graphEnvFor } from '../../support/emulator.js';

export interface EngineUnderTest {
  readonly graph: GraphPortWithStats;
  readonly engine: ResetEngine;
}

export function engineFor(
  emu: TestEmulator,
  options: {
    protectedUsers?: string[];
    protectedGroupIds?: string[];
    credential?: TokenCredential;
    maxConcurrency?: number;
    maxWaitMs?: number;
    maxPasses?: number;
  } = {},
): EngineUnderTest {
  graphEnvFor(emu);
  const graph = createGraphPort({
    baseUrl: emu.env.GRAPH_BASE_URL,
    credential: options.credential ?? createGraphCredential(),
    maxConcurrency: options.maxConcurrency ?? 16,
    maxWaitMs: options.maxWaitMs ?? 10_000,
    retry: { baseDelayMs: 20, maxDelayMs: 400 },
  });
  const engine = createResetEngine({
    graph,
    protectedUsers: options.protectedUsers ?? [],
    protectedGroupIds: options.protectedGroupIds ?? [],
    ...(options.maxPasses ? { maxPasses: options.maxPasses } : {}),
  });
  return { graph, engine };
}

export function opts(partial: Partial<ResetOptions> = {}): ResetOptions {
  return { ...defaultResetOptions, ...partial };
}

/** Runs a reset the way the queue worker does: persist the snapshot, and run again when told to retry later. */
export async function resetLikeWorker(
  engine: ResetEngine,
  key: string,
  options: ResetOptions,
  state: { snapshot?: MethodRef[]; deferrals: number } = { deferrals: 0 },
  maxRuns = 20,
): Promise<ResetResult & { deferrals: number }> {
  for (let run = 1; ; run++) {
    try {
      const result = await engine.reset(key, options, {
        ...(state.snapshot ? { snapshot: state.snapshot } : {}),
        onPlanned: (planned) => {
          state.snapshot ??= [...planned];
          return Promise.resolve();
        },
      });
      return { ...result, deferrals: state.deferrals };
    } catch (error) {
      if (!(error instanceof RetryLaterError) || run >= maxRuns) throw error;
      state.deferrals++;
      // The queue would make the message visible again after this delay (not a synchronisation sleep).
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
    }
  }
}
