// The reset engine (DESIGN §4): resolve → guard, list and default (in parallel) → plan → execute → verify → revoke.
// It takes a GraphPort and returns an outcome; it knows nothing of Azure Functions, queues or tables.
import { GraphRequestError, GraphTransportError, permissionSentence, redact } from '../graph/graph-errors.js';
import type { GraphCallContext, GraphMethod, GraphPort, SignInPreferences } from '../graph/graph-port.js';
import { shortOdataName } from '../graph/method-catalogue.js';
import { isGuid, isUserKey } from '../graph/user-key.js';
import type {
  ItemOutcome,
  MethodRef,
  ResetEngine,
  ResetFailure,
  ResetOptions,
  ResetResult,
  ResetRunContext,
} from './contract.js';
import { RetryLaterError } from './contract.js';
import { executePlan, mergeListings } from './executor.js';
import type { GuardConfig } from './guard.js';
import { checkDirectoryGuard, isListedProtected, normaliseGuardConfig } from './guard.js';
import { settleAll } from './bounded.js';
import { planReset, refKey } from './planner.js';
import { typesInScope } from './scope.js';

export interface ResetEngineOptions {
  readonly graph: GraphPort;
  /** PROTECTED_USERS: UPNs or object ids never reset. */
  readonly protectedUsers: readonly string[];
  /** PROTECTED_GROUP_IDS: group object ids whose (transitive) members are never reset. */
  readonly protectedGroupIds: readonly string[];
  /** Delete/verify passes before giving up (default 4). */
  readonly maxPasses?: number;
  /** Deletes of one user in flight at once (default 8; the process-wide limiter still applies). */
  readonly maxParallelDeletes?: number;
  readonly now?: () => Date;
}

export function createResetEngine(options: ResetEngineOptions): ResetEngine {
  const guard: GuardConfig = normaliseGuardConfig(options);
  const maxPasses = Math.max(1, options.maxPasses ?? 4);
  const maxParallelDeletes = Math.max(1, options.maxParallelDeletes ?? 8);
  const now = options.now ?? (() => new Date());
  return {
    reset: (userKey, resetOptions, context = {}) =>
      runReset({ graph: options.graph, guard, maxPasses, maxParallelDeletes, now }, userKey, resetOptions, context),
  };
}

interface EngineDeps {
  readonly graph: GraphPort;
  readonly guard: GuardConfig;
  readonly maxPasses: number;
  readonly maxParallelDeletes: number;
  readonly now: () => Date;
}

async function runReset(
  deps: EngineDeps,
  userKey: string,
  options: ResetOptions,
  context: ResetRunContext,
): Promise<ResetResult> {
  const { graph } = deps;
  const startedAt = deps.now();
  const t0 = performance.now();
  const requestIds: string[] = [];
  let roundTrips = 0;
  const marks = { resolved: t0, inspected: t0 };
  const ctx: GraphCallContext = {
    onRequestId: (id) => requestIds.push(id),
    ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  };
  let userId: string | undefined;
  let before: MethodRef[] = [];
  let planned: MethodRef[] = [];
  let unknownTypes: string[] = [];

  const finish = (outcome: ItemOutcome, rest: Partial<ResetResult> = {}): ResetResult => {
    const end = performance.now();
    return {
      outcome,
      ...(userId ? { userId } : {}),
      methodsBefore: before,
      planned,
      methodsRemoved: [],
      methodsRemaining: before,
      unknownTypes,
      sessionsRevoked: false,
      graphRequestIds: requestIds,
      startedAt: startedAt.toISOString(),
      finishedAt: deps.now().toISOString(),
      ...rest,
      timings: {
        resolveMs: Math.round(marks.resolved - t0),
        inspectMs: Math.round(Math.max(0, marks.inspected - marks.resolved)),
        executeMs: Math.round(Math.max(0, end - Math.max(marks.inspected, marks.resolved))),
        totalMs: Math.round(end - t0),
        roundTrips,
        graphResponses: requestIds.length,
      },
    };
  };

  if (!isUserKey(userKey)) {
    return finish('failed', {
      error: {
        code: 'invalid_user_key',
        message: 'The user key is neither a user principal name nor an object id (GUID).',
      },
    });
  }

  const inScope = typesInScope(options.methods, options.keep);
  const listHardwareOath = inScope.has('hardwareOath');
  const inspect = (id: string) =>
    settleAll([
      checkDirectoryGuard(graph, id, deps.guard, ctx),
      graph.listMethods(id, ctx),
      listHardwareOath ? graph.listHardwareOathMethods(id, ctx) : Promise.resolve([] as GraphMethod[]),
      readPreferences(graph, id, ctx),
    ] as const);
  // An object id needs no resolving before the reads: run them alongside the resolve and save a round trip. They
  // are reads only, and their answers are used only once the resolve has found the user under that same id.
  const early = isGuid(userKey) ? inspect(userKey.toLowerCase()) : undefined;
  // Observed at once: for an unknown id these reads fail (404) before the resolve answers, and an unobserved
  // rejection would crash the worker process. Awaiting `early` later still sees the rejection.
  early?.catch(() => undefined);
  const drain = async (): Promise<void> => {
    await early?.catch(() => undefined);
  };

  try {
    // 1. Resolve.
    roundTrips++;
    const user = await graph.getUser(userKey, ctx).catch(async (error: unknown) => {
      await drain();
      throw error;
    });
    marks.resolved = performance.now();
    if (!user) {
      await drain();
      return finish('not_found');
    }
    userId = user.id;
    if (isListedProtected(user, deps.guard.protectedUsers, userKey)) {
      await drain();
      return finish('protected', { protectedReason: 'protected_user' });
    }

    // 2.-3. Guard, list and default, all at once.
    let inspection = early;
    if (!inspection || user.id.toLowerCase() !== userKey.toLowerCase()) {
      await drain();
      roundTrips++;
      inspection = inspect(user.id);
    }
    const [verdict, listed, hardware, prefs] = await inspection;
    marks.inspected = performance.now();
    const methods = mergeListings(listed, hardware);
    before = methods.map(toRef);
    if (verdict.protected) return finish('protected', { protectedReason: verdict.reason });

    // 4. Plan.
    const preferred = prefs?.userPreferredMethodForSecondaryAuthentication ?? null;
    const plan = planReset({
      methods,
      preferred,
      scope: options.methods,
      keep: options.keep,
      ...(context.snapshot ? { snapshot: context.snapshot } : {}),
    });
    unknownTypes = [...plan.unknownTypes];
    planned = plan.deletes.map((m) => ({ type: m.type, id: m.id }));
    const skipped = plan.skipped.map((s) => ({ type: s.method.type, id: s.method.id, reason: s.reason }));
    // With a snapshot, what it names (in scope) but the list no longer shows was removed by an earlier attempt.
    const present = new Set(methods.map((m) => refKey(m.type ?? m.odataType, m.id)));
    const alreadyGone = (context.snapshot ?? []).filter(
      (m) => inScope.has(m.type as never) && !present.has(refKey(m.type, m.id)),
    );
    if (plan.deletes.length === 0 && alreadyGone.length === 0) {
      return finish('nothing_to_reset', { skipped, passes: 0 });
    }
    if (options.dryRun) return finish('planned', { skipped, passes: 0 });

    // 5.-7. Execute, verify, revoke.
    // On a later attempt the caller's snapshot stays what it was (what this run plans is a part of it), so a third
    // attempt still counts what the first removed.
    await context.onPlanned?.(context.snapshot ?? planned, before);
    const result = await executePlan({
      graph,
      userId: user.id,
      plan,
      preferred,
      scope: options.methods,
      keep: options.keep,
      listHardwareOath,
      revokeSessions: options.revokeSessions,
      maxPasses: deps.maxPasses,
      maxParallelDeletes: deps.maxParallelDeletes,
      ctx,
      onRoundTrip: () => roundTrips++,
    });
    const methodsRemoved = dedupe([...alreadyGone.map((m) => ({ type: m.type, id: m.id })), ...result.removed]);
    const common = {
      methodsRemoved,
      methodsRemaining: result.after.map(toRef),
      sessionsRevoked: result.sessionsRevoked,
      passes: result.passes,
      skipped,
    };
    if (result.notRemoved.length > 0) {
      const types = [...new Set(result.notRemoved.map((m) => m.type))].join(', ');
      return finish('failed', {
        ...common,
        error: {
          code: 'verification_failed',
          message:
            `After ${result.passes} pass${result.passes === 1 ? '' : 'es'} these methods are still registered: ${types}.` +
            (result.lastRefusal ? ` Last refusal: ${result.lastRefusal}` : ''),
        },
      });
    }
    return finish('reset', common);
  } catch (error) {
    if (error instanceof RetryLaterError) throw error;
    if (context.signal?.aborted) throw error;
    return finish('failed', { error: describeFailure(error) });
  }
}

/** The default method, when Graph will tell us. A 403 is fatal (same permission as listing); other refusals of this
 * beta endpoint leave the default unknown and the executor's re-list-and-retry covers it. */
async function readPreferences(
  graph: GraphPort,
  userId: string,
  ctx: GraphCallContext,
): Promise<SignInPreferences | undefined> {
  try {
    return await graph.getSignInPreferences(userId, ctx);
  } catch (error) {
    if (error instanceof GraphRequestError && error.status !== 403 && error.status !== 401 && error.status < 500) {
      return undefined;
    }
    throw error;
  }
}

export function describeFailure(error: unknown): ResetFailure {
  if (error instanceof GraphRequestError) {
    if (error.status === 403) {
      return {
        code: 'graph_permission_missing',
        message: `Microsoft Graph refused ${error.operation}: the worker's identity lacks ${permissionSentence(error.permissions)}`,
      };
    }
    if (error.status === 401) return { code: 'graph_unauthorized', message: error.message };
    return { code: 'graph_error', message: error.message };
  }
  if (error instanceof GraphTransportError) return { code: 'graph_unreachable', message: redact(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal_error', message: redact(message).slice(0, 500) };
}

function toRef(m: GraphMethod): MethodRef {
  return { type: m.type ?? shortOdataName(m.odataType), id: m.id };
}

function dedupe(refs: readonly MethodRef[]): MethodRef[] {
  const seen = new Map<string, MethodRef>();
  for (const r of refs) seen.set(refKey(r.type, r.id), r);
  return [...seen.values()];
}
