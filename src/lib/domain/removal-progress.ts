// What the attempts of one item have removed so far, and what the last listing still showed: kept on the item while
// it runs, so whatever ends it (success, failure after some deletes, a deferral, a crash and redelivery, the poison
// queue) says exactly which methods are gone. Pure rules, like item-lease.ts.
import type { MethodRef, RemainingMethod } from './reset-contract.js';

export interface RemovalProgress {
  /** Methods gone by this item's hand: Graph answered the DELETE 204, or 404 (already gone; see docs/api.md). */
  readonly methodsRemoved: readonly MethodRef[];
  /** The last listing of the user's methods, less what was removed since. */
  readonly methodsRemaining: readonly RemainingMethod[];
}

export const noProgress: RemovalProgress = { methodsRemoved: [], methodsRemaining: [] };

/** Compares methods by type and id (Graph's ids in any case). */
export const methodKey = (m: MethodRef): string => `${m.type}:${m.id.toLowerCase()}`;

/**
 * What an item has removed across its attempts: the earlier record and the latest one, each method once. The latest
 * listing wins: a method it still shows is not removed, and what remains is what it shows.
 */
export function mergeProgress(earlier: RemovalProgress, latest: RemovalProgress): RemovalProgress {
  const listed = new Set(latest.methodsRemaining.map(methodKey));
  const removed = new Map<string, MethodRef>();
  for (const m of [...earlier.methodsRemoved, ...latest.methodsRemoved]) {
    const key = methodKey(m);
    if (!listed.has(key) && !removed.has(key)) removed.set(key, { type: m.type, id: m.id });
  }
  return { methodsRemoved: [...removed.values()], methodsRemaining: latest.methodsRemaining };
}
