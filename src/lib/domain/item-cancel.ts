// Cancelling an item: pure rules, like item-lease.ts. An item not started (queued, or running under a lease that
// has expired: its worker is gone) ends `cancelled`; an item a live worker holds finishes its user, so no user is
// left half-reset; a final item never changes.

import { leaseIsLive, type LeaseState } from './item-lease.js';

export type CancelRefusal = 'final' | 'running';

export function cancelRefusal(item: LeaseState, now: Date): CancelRefusal | undefined {
  if (item.status === 'final') return 'final';
  if (item.status === 'running' && item.lease && leaseIsLive(item.lease, now)) return 'running';
  return undefined;
}
