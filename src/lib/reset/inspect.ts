// The guard and list steps, run together: the directory guard (the user's privilege reads and the tenant sets), the
// method lists and the default method are independent reads, so they go to Graph in parallel. The guard decides
// first: a protected user is protected whatever the lists did, and a guard that could not decide fails the run
// (guard_unavailable) whatever they did.
import type { GraphCallContext, GraphMethod, GraphPort, GraphUser, MethodTypeName } from '../domain/index.js';
import { GraphCallError, isGuid } from '../domain/index.js';
import { settleAll } from '../concurrency/bounded.js';
import type { GuardVerdict } from './guard.js';
import { checkDirectoryGuard } from './guard.js';
import { mergeListings } from './method-refs.js';
import type { RunRecord } from './run-record.js';
import type { TenantPrivilegeCache } from './tenant-privilege.js';

export interface Inspection {
  readonly verdict: GuardVerdict;
  /** Every method the user has (hardware tokens included when in scope). */
  readonly methods: readonly GraphMethod[];
  /** signInPreferences.userPreferredMethodForSecondaryAuthentication; null when unknown or unset. */
  readonly preferred: string | null;
}

export type Inspect = (userId: string) => Promise<Inspection>;

export function inspector(
  graph: GraphPort,
  tenant: TenantPrivilegeCache,
  inScope: ReadonlySet<MethodTypeName>,
  ctx: GraphCallContext,
): Inspect {
  const listHardwareOath = inScope.has('hardwareOath');
  return async (userId) => {
    const [guard, lists] = await Promise.allSettled([
      checkDirectoryGuard(graph, userId, tenant, ctx),
      settleAll([
        graph.listMethods(userId, ctx),
        listHardwareOath ? graph.listHardwareOathMethods(userId, ctx) : Promise.resolve([] as GraphMethod[]),
        readPreferred(graph, userId, ctx),
      ] as const),
    ]);
    if (guard.status === 'rejected') throw guard.reason;
    const verdict = guard.value;
    if (lists.status === 'rejected') {
      if (verdict.protected) return { verdict, methods: [], preferred: null };
      throw lists.reason;
    }
    const [listed, hardware, preferred] = lists.value;
    return { verdict, methods: mergeListings(listed, hardware), preferred };
  };
}

/**
 * The default method, when Graph will tell us. A missing permission, a refused token or a failure on Graph's side is
 * fatal (listing needs the same); other refusals of this beta endpoint leave the default unknown, and the executor's
 * re-list-and-retry covers it.
 */
async function readPreferred(graph: GraphPort, userId: string, ctx: GraphCallContext): Promise<string | null> {
  try {
    const prefs = await graph.getSignInPreferences(userId, ctx);
    return prefs.userPreferredMethodForSecondaryAuthentication ?? null;
  } catch (error) {
    if (error instanceof GraphCallError && !fatalKinds.has(error.kind)) return null;
    throw error;
  }
}

const fatalKinds: ReadonlySet<GraphCallError['kind']> = new Set(['forbidden', 'unauthorized', 'unavailable']);

/**
 * An object id needs no resolving before the reads: they start alongside the resolve and save a round trip. They are
 * reads only, and their answers are used only once the resolve has found the user under that same id.
 */
export class EarlyInspection {
  private readonly key: string | undefined;
  private readonly reads: Promise<Inspection> | undefined;

  constructor(userKey: string, inspect: Inspect) {
    if (!isGuid(userKey)) return;
    this.key = userKey.toLowerCase();
    this.reads = inspect(this.key);
    // Observed at once: for an unknown id these reads fail before the resolve answers, and an unobserved rejection
    // would crash the worker process. Awaiting `reads` later still sees the rejection.
    this.reads.catch(() => undefined);
  }

  /** The early reads when they were made for this user. */
  for(user: GraphUser): Promise<Inspection> | undefined {
    return this.key !== undefined && user.id.toLowerCase() === this.key ? this.reads : undefined;
  }

  /** Waits for the early reads to settle, whatever they did (no Graph call is left running unobserved). */
  async drain(): Promise<void> {
    await this.reads?.catch(() => undefined);
  }
}

/** The inspect step: the early reads when they fit the resolved user, else the reads made now. */
export async function inspectTarget(
  user: GraphUser,
  early: EarlyInspection,
  inspect: Inspect,
  run: RunRecord,
): Promise<Inspection> {
  let reads = early.for(user);
  if (!reads) {
    await early.drain();
    run.roundTrip();
    reads = inspect(user.id);
  }
  const inspection = await reads;
  run.markInspected();
  return inspection;
}
