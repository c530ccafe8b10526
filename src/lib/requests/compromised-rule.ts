// A compromised account always has its sessions revoked: a stolen refresh token outlives any method reset.
// Asking for `compromised` and `revokeSessions: false` together is refused rather than silently overridden.

import { reasonsThatRevoke, type NewItem, type ResetOptions } from '../domain/index.js';
import type { ProblemError } from '../http/problem.js';

export const COMPROMISED_REVOKE_MESSAGE =
  'must not be false when the reason is compromised: sessions of a compromised account are always revoked';

/** The error naming `field` when any item is `compromised` while the options turn session revocation off. */
export function compromisedRevokeError(
  items: readonly NewItem[],
  options: ResetOptions,
  field: string,
): ProblemError | undefined {
  if (options.revokeSessions || !items.some((i) => reasonsThatRevoke.includes(i.reason))) return undefined;
  return { field, message: COMPROMISED_REVOKE_MESSAGE };
}
