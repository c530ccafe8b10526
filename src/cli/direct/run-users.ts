// Runs the engine over the request's users, a few at a time, in this process. What the worker gets from storage and
// the queue is kept in memory here: the snapshot taken before the first delete (a retry deletes only those ids) and
// what an attempt removed before Graph asked for a long wait; the wait itself is slept here, not on a queue.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RetryLaterError,
  reasonsThatRevoke,
  type MethodRef,
  type NewItem,
  type RemovalProgress,
  type ResetEngine,
  type ResetOptions,
  type ResetResult,
} from '../../lib/domain/index.js';
import { mapBounded } from '../../lib/concurrency/bounded.js';
import { ADMIN_ROLE_MISSING, isAdminRoleRefusal } from './delegated-refusals.js';

/** One user's end: the engine's result, how many attempts it took. */
export interface UserRun {
  readonly item: NewItem;
  readonly index: number;
  readonly result: ResetResult;
  readonly attempts: number;
}

export interface RunUsersOptions {
  readonly engine: ResetEngine;
  readonly items: readonly NewItem[];
  readonly options: ResetOptions;
  readonly parallelUsers: number;
  /** Attempts per user when Graph keeps asking for long waits (default 5). */
  readonly maxAttempts?: number;
  /** Each user once final (results keep the input order in the returned list). */
  readonly onDone?: (run: UserRun) => void | Promise<void>;
  /** After a user's attempt Graph asked to wait this long (ms) before the next. */
  readonly onWait?: (item: NewItem, waitMs: number) => void;
  readonly signal?: AbortSignal;
  /** True once the person asked to stop (Ctrl-C): users not started yet end `cancelled`, no Graph call. */
  readonly stopped?: () => boolean;
  readonly now?: () => Date;
}

const DEFAULT_ATTEMPTS = 5;

/** The failure of a user whose attempts all ended in a request to wait. */
function throttledOut(item: NewItem, error: RetryLaterError, now: Date, attempts: number): ResetResult {
  const at = now.toISOString();
  return {
    outcome: 'failed',
    methodsBefore: [],
    planned: [],
    methodsRemoved: error.progress?.methodsRemoved ?? [],
    methodsRemaining: error.progress?.methodsRemaining ?? [],
    unknownTypes: [],
    sessionsRevoked: false,
    error: {
      code: 'graph_throttled',
      message: `Microsoft Graph still asked to wait after ${attempts} attempts (${error.message}); run this user again later`,
    },
    graphRequestIds: [],
    startedAt: at,
    finishedAt: at,
  };
}

/** A user never started because the run was stopped. */
function cancelled(now: Date): ResetResult {
  const at = now.toISOString();
  return {
    outcome: 'cancelled',
    methodsBefore: [],
    planned: [],
    methodsRemoved: [],
    methodsRemaining: [],
    unknownTypes: [],
    sessionsRevoked: false,
    graphRequestIds: [],
    startedAt: at,
    finishedAt: at,
  };
}

/** A refusal for want of an Entra admin role gets its own code (the message names the role). */
function withRoleCode(result: ResetResult): ResetResult {
  if (!result.error || !isAdminRoleRefusal(result.error.message)) return result;
  return { ...result, error: { ...result.error, code: ADMIN_ROLE_MISSING } };
}

async function runOne(o: RunUsersOptions, item: NewItem, index: number): Promise<UserRun> {
  // As the worker does: a compromised account always loses its sessions (the validators refuse the opposite).
  const options = reasonsThatRevoke.includes(item.reason) ? { ...o.options, revokeSessions: true } : o.options;
  const maxAttempts = Math.max(1, o.maxAttempts ?? DEFAULT_ATTEMPTS);
  let snapshot: readonly MethodRef[] | undefined;
  let earlier: RemovalProgress | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await o.engine.reset(item.userKey, options, {
        ...(snapshot ? { snapshot, ...(earlier ? { earlier } : {}) } : {}),
        onPlanned: (planned) => {
          snapshot = planned;
          return Promise.resolve();
        },
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return { item, index, result: withRoleCode(result), attempts: attempt };
    } catch (error) {
      if (!(error instanceof RetryLaterError)) throw error;
      if (error.progress) earlier = error.progress;
      if (attempt >= maxAttempts) {
        return {
          item,
          index,
          result: throttledOut(item, error, (o.now ?? (() => new Date()))(), attempt),
          attempts: attempt,
        };
      }
      o.onWait?.(item, error.retryAfterMs);
      await sleep(error.retryAfterMs, undefined, o.signal ? { signal: o.signal } : undefined);
    }
  }
}

/** Every user's run, in the request's order; at most `parallelUsers` at once. */
export async function runUsers(o: RunUsersOptions): Promise<UserRun[]> {
  return mapBounded(o.items, o.parallelUsers, async (item, index) => {
    const run = o.stopped?.()
      ? { item, index, result: cancelled((o.now ?? (() => new Date()))()), attempts: 0 }
      : await runOne(o, item, index);
    await o.onDone?.(run);
    return run;
  });
}
