// The item lease: which state an item may move to, and who may move it. Pure rules, no storage (the store applies
// them inside one ETag-conditional write, so two workers deciding at once cannot both win).
//
//   queued ──claim──► running (lease: owner, until) ──complete──► final
//                        │  └──release──► queued          (deferred: throttling, kill switch, worker error)
//                        └──claim by anyone once the lease has expired (the holder crashed): a new attempt
//   queued | running ──fail──► final                       (poison: no lease needed)
//
// A final item never changes again.

export type ItemStatus = 'queued' | 'running' | 'final';

/** Who holds a running item, and until when (ISO time). */
export interface ItemLease {
  readonly owner: string;
  readonly until: string;
}

/** What the rules look at: an item's status and lease. */
export interface LeaseState {
  readonly status: ItemStatus;
  readonly lease?: ItemLease;
}

/** Why a claim is refused: the item is done, or another owner holds a lease that has not expired. */
export type ClaimRefusal = 'final' | 'leased';

/** Why a step of an attempt is refused: the item is done, or the caller no longer holds its lease. */
export type HolderRefusal = 'final' | 'lost_lease';

/** True while the lease protects its holder's attempt; once it has expired (or is unreadable) anyone may claim. */
export const leaseIsLive = (lease: ItemLease, now: Date): boolean => Date.parse(lease.until) > now.getTime();

/**
 * A claim starts a new attempt. Refused when the item is final, or running under someone else's live lease; allowed
 * for a queued item, a running item without a lease or with an expired one, and a running item the claimant holds.
 */
export function claimRefusal(item: LeaseState, owner: string, now: Date): ClaimRefusal | undefined {
  if (item.status === 'final') return 'final';
  if (item.status === 'running' && item.lease && item.lease.owner !== owner && leaseIsLive(item.lease, now)) {
    return 'leased';
  }
  return undefined;
}

/** The lease a claim takes: `leaseSeconds` from now. */
export const leaseFor = (owner: string, now: Date, leaseSeconds: number): ItemLease => ({
  owner,
  until: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
});

/**
 * The steps of an attempt (save the snapshot, complete, release) are taken only by the holder of the lease on a
 * running item. The lease's expiry does not matter here: until someone else claims, the holder still owns it.
 */
export function holderRefusal(item: LeaseState, owner: string): HolderRefusal | undefined {
  if (item.status === 'final') return 'final';
  if (item.status !== 'running' || item.lease?.owner !== owner) return 'lost_lease';
  return undefined;
}

/** Quarantine (poison queue) fails any item that is not final yet, whoever holds it. */
export const failRefusal = (item: LeaseState): 'final' | undefined => (item.status === 'final' ? 'final' : undefined);

/** The item without its lease: what completing, releasing or failing leaves behind. */
export function withoutLease<T extends LeaseState>(item: T): Omit<T, 'lease'> {
  const { lease: _lease, ...rest } = item;
  return rest;
}
