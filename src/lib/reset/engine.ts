// The reset engine (DESIGN §4), one run as named steps:
//   resolve → guard + list (in parallel) → plan → execute → verify (→ re-plan, next pass) → revoke → record.
// It takes a GraphPort and returns an outcome; it knows nothing of Azure Functions, queues, tables or HTTP.
import type { GraphPort, ResetEngine, ResetOptions, ResetResult, ResetRunContext } from '../domain/index.js';
import { RetryLaterError, isUserKey } from '../domain/index.js';
import { describeFailure, invalidUserKey, verificationFailed } from './describe-failure.js';
import { executePlan } from './executor.js';
import { normaliseGuardConfig } from './guard.js';
import { EarlyInspection, inspectTarget, inspector } from './inspect.js';
import { toRef } from './method-refs.js';
import { hasWork, planTarget } from './plan-target.js';
import { resolveTarget } from './resolve.js';
import { CallerCallbackError, RunRecord, guardCallback } from './run-record.js';
import { typesInScope } from './scope.js';
import { signsInElsewhere } from './sessions.js';
import { TenantPrivilegeCache } from './tenant-privilege.js';

export interface ResetEngineOptions {
  readonly graph: GraphPort;
  /** PROTECTED_USERS: UPNs or object ids never reset. */
  readonly protectedUsers: readonly string[];
  /** PROTECTED_GROUP_IDS: group object ids whose (transitive) members are never reset. */
  readonly protectedGroupIds: readonly string[];
  /** How long runs of one request share the guard's tenant sets (default 60 s; 0: every run reads them). */
  readonly tenantSetsMaxAgeMs?: number;
  /** Delete/verify passes before giving up (default 4). */
  readonly maxPasses?: number;
  /** Deletes of one user in flight at once (default 8; the process-wide limiter still applies). */
  readonly maxParallelDeletes?: number;
  readonly now?: () => Date;
}

interface EngineDeps {
  readonly graph: GraphPort;
  readonly protectedUsers: readonly string[];
  readonly tenant: TenantPrivilegeCache;
  readonly maxPasses: number;
  readonly maxParallelDeletes: number;
  readonly now: () => Date;
}

export function createResetEngine(options: ResetEngineOptions): ResetEngine {
  const guard = normaliseGuardConfig(options);
  const deps: EngineDeps = {
    graph: options.graph,
    protectedUsers: guard.protectedUsers,
    tenant: new TenantPrivilegeCache(options.graph, guard.protectedGroupIds, options.tenantSetsMaxAgeMs),
    maxPasses: Math.max(1, options.maxPasses ?? 4),
    maxParallelDeletes: Math.max(1, options.maxParallelDeletes ?? 8),
    now: options.now ?? (() => new Date()),
  };
  return { reset: (userKey, resetOptions, context = {}) => runReset(deps, userKey, resetOptions, context) };
}

async function runReset(
  deps: EngineDeps,
  userKey: string,
  options: ResetOptions,
  context: ResetRunContext,
): Promise<ResetResult> {
  const { graph } = deps;
  const run = new RunRecord(deps.now, context);
  if (!isUserKey(userKey)) return run.finish('failed', { error: invalidUserKey });

  const inScope = typesInScope(options.methods, options.keep);
  const inspect = inspector(graph, deps.tenant, inScope, run.ctx);
  const early = new EarlyInspection(userKey, inspect);
  try {
    // Resolve.
    const resolved = await resolveTarget(graph, userKey, deps.protectedUsers, early, run);
    if (!resolved.found) {
      const { found: _found, outcome, ...rest } = resolved;
      return run.finish(outcome, rest);
    }
    const { user } = resolved;

    // Guard and list.
    const { verdict, methods, preferred } = await inspectTarget(user, early, inspect, run);
    run.methodsBefore = methods.map(toRef);
    run.listed(run.methodsBefore);
    if (verdict.protected) return run.finish('protected', { protectedReason: verdict.reason });

    // Plan.
    const target = planTarget(methods, preferred, options, inScope, context.snapshot);
    run.unknownTypes = [...target.plan.unknownTypes];
    run.planned = target.planned;
    // Named by the snapshot and no longer listed: an earlier attempt removed them (its record may not have been
    // saved, if it crashed before).
    for (const m of target.alreadyGone) run.removed(m);
    if (!hasWork(target)) return run.finish('nothing_to_reset', { skipped: target.skipped, passes: 0 });
    if (options.dryRun) return run.finish('planned', { skipped: target.skipped, passes: 0 });

    // Cooldown: a user reset moments ago is not reset again on a new ticket (a retry whose deletes began finishes).
    const cooldown = context.snapshot ? 'clear' : ((await context.cooldown?.(user.id)) ?? 'clear');
    if (cooldown === 'skip') return run.finish('skipped_recently_reset', { skipped: target.skipped, passes: 0 });

    // Execute, verify and revoke. On a later attempt the caller's snapshot stays what it was (what this run plans is
    // a part of it), so a third attempt still counts what the first removed.
    await guardCallback(() => context.onPlanned?.(context.snapshot ?? target.planned, run.methodsBefore));
    const external = signsInElsewhere(user);
    const executed = await executePlan({
      graph,
      userId: user.id,
      plan: target.plan,
      preferred,
      scope: options.methods,
      keep: options.keep,
      listHardwareOath: inScope.has('hardwareOath'),
      // Graph's revoke does not reach users who sign in through another tenant: not called, and said so below.
      revokeSessions: options.revokeSessions && !external,
      maxPasses: deps.maxPasses,
      maxParallelDeletes: deps.maxParallelDeletes,
      ctx: run.ctx,
      onRoundTrip: run.roundTrip,
      progress: run,
    });

    // Record. What was removed (earlier attempts, already gone, this run's deletes) and the last listing less that
    // are the run's record (the executor kept it as it went).
    const done = {
      sessionsRevoked: executed.sessionsRevoked,
      ...(options.revokeSessions && external ? { sessionsNotRevokedReason: 'external_user' as const } : {}),
      passes: executed.passes,
      skipped: target.skipped,
      ...(cooldown === 'override' ? { cooldownOverridden: true } : {}),
    };
    if (executed.notRemoved.length > 0) {
      return run.finish('failed', {
        ...done,
        error: verificationFailed(executed.notRemoved, executed.passes, executed.lastRefusal),
      });
    }
    return run.finish('reset', done);
  } catch (error) {
    if (error instanceof CallerCallbackError) throw error.original;
    // The caller keeps what this attempt removed before Graph asked for the wait: the next attempt may not list it.
    if (error instanceof RetryLaterError) throw error.withProgress(run.progress());
    if (context.signal?.aborted) throw error;
    // Whatever step failed, the result names what is gone (the deletes Graph answered) and what the last listing left.
    return run.finish('failed', { error: describeFailure(error) });
  }
}
