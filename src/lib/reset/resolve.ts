// The resolve step: which user the key names, and whether the configured list protects them (no call needed for
// that). The guard's directory reads come next, in the inspect step; when the run ends here, the reads started early
// for an object id are waited for, so no Graph call is left running unobserved.
import type { GraphPort, GraphUser } from '../domain/index.js';
import { isListedProtected } from './guard.js';
import type { EarlyInspection } from './inspect.js';
import type { RunRecord } from './run-record.js';

export type Resolution =
  | { readonly found: true; readonly user: GraphUser }
  | { readonly found: false; readonly outcome: 'not_found' }
  | { readonly found: false; readonly outcome: 'protected'; readonly protectedReason: 'protected_user' };

export async function resolveTarget(
  graph: GraphPort,
  userKey: string,
  protectedUsers: readonly string[],
  early: EarlyInspection,
  run: RunRecord,
): Promise<Resolution> {
  run.roundTrip();
  let user: GraphUser | null;
  try {
    user = await graph.getUser(userKey, run.ctx);
  } catch (error) {
    await early.drain();
    throw error;
  }
  run.markResolved();
  if (!user) {
    await early.drain();
    return { found: false, outcome: 'not_found' };
  }
  run.userId = user.id;
  if (isListedProtected(user, protectedUsers, userKey)) {
    await early.drain();
    return { found: false, outcome: 'protected', protectedReason: 'protected_user' };
  }
  return { found: true, user };
}
