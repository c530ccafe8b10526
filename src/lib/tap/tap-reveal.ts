// Showing a Temporary Access Pass to the one caller allowed to see it, once. The intake decrypts the pass first and
// then erases the ciphertext with an ETag-conditional write: only the reader whose write wins gets the value, so two
// concurrent reads never both reveal it, and a decryption failure (Key Vault unreachable) leaves it for a retry.
// A pass past its lifetime is erased unread.
import type { Requester, TapOutcome } from '../domain/index.js';
import { tapNotIssuedFor } from '../domain/index.js';
import type { StateStore, StoredItem, StoredRequest } from '../store/ports.js';
import type { StoredTap } from '../store/tap-ports.js';
import { openTap, type TapKeyUnwrapper } from './tap-envelope.js';

/** What an item shows of its pass; `value` only in the one answer that revealed it. */
export type TapView =
  | { readonly status: 'not_issued'; readonly reason: string; readonly detail?: string }
  | {
      readonly status: 'issued';
      readonly value?: string;
      readonly startDateTime: string;
      readonly lifetimeMinutes: number;
      readonly isUsableOnce: boolean;
      readonly revealed?: boolean;
      readonly revealedAt?: string;
      /** The lifetime ended before anyone read it: erased unread. */
      readonly expired?: boolean;
    };

/** The pass as the item records it, with no storage read: never a value, never whether it was read. */
export function tapSummary(request: Pick<StoredRequest, 'options'>, item: StoredItem): TapView | undefined {
  if (!request.options.temporaryAccessPass || item.status !== 'final') return undefined;
  const outcome: TapOutcome = item.temporaryAccessPass ?? {
    status: 'not_issued',
    reason: tapNotIssuedFor(item.outcome ?? 'failed', request.options.dryRun),
  };
  if (outcome.status === 'not_issued') {
    return { status: 'not_issued', reason: outcome.reason, ...(outcome.detail ? { detail: outcome.detail } : {}) };
  }
  return {
    status: 'issued',
    startDateTime: outcome.startDateTime,
    lifetimeMinutes: outcome.lifetimeMinutes,
    isUsableOnce: outcome.isUsableOnce,
  };
}

export interface RevealDeps {
  readonly store: Pick<StateStore, 'getTap' | 'endTap'>;
  readonly unwrapper: TapKeyUnwrapper;
  readonly now?: () => Date;
}

const stateOf = (
  tap: StoredTap | undefined,
): Pick<Extract<TapView, { status: 'issued' }>, 'revealed' | 'revealedAt' | 'expired'> =>
  tap?.state === 'revealed'
    ? { revealed: true, ...(tap.revealedAt ? { revealedAt: tap.revealedAt } : {}) }
    : { revealed: false, expired: true };

/**
 * The pass for its submitter: the value the first time (erasing it in the same conditional write), then
 * `revealed: true` with when. Callers other than the submitter must not be given this (they get tapSummary).
 */
export async function revealTap(
  deps: RevealDeps,
  request: Pick<StoredRequest, 'id' | 'options'>,
  item: StoredItem,
  reader: Requester,
): Promise<TapView | undefined> {
  const summary = tapSummary(request, item);
  if (summary?.status !== 'issued' || !deps.store.getTap || !deps.store.endTap) return summary;
  for (let attempt = 0; attempt < 3; attempt++) {
    const tap = await deps.store.getTap(request.id, item.index);
    if (tap?.state !== 'sealed' || !tap.envelope) return { ...summary, ...stateOf(tap) };
    const now = deps.now?.() ?? new Date();
    if (now.getTime() >= Date.parse(tap.expiresAt)) {
      await deps.store.endTap(tap, 'expired');
      return { ...summary, revealed: false, expired: true };
    }
    const value = await openTap(tap.envelope, deps.unwrapper, request.id, item.index);
    if (await deps.store.endTap(tap, 'revealed', reader)) return { ...summary, value };
    // Another reader's write won (or the row changed): read again and show what it is now.
  }
  return { ...summary, ...stateOf(await deps.store.getTap(request.id, item.index)) };
}
