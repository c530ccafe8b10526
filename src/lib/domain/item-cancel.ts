// Ending an item that never started (cancelled by a person, or expired by age): pure rules, like item-lease.ts.
// An item ends only if no worker holds it under a live lease and no attempt has begun its writes (a saved snapshot
// is written before the first delete): such an item finishes its user instead, so no user is left half-reset.
// A final item never changes.

import type { MethodRef } from './reset-contract.js';
import { leaseIsLive, type LeaseState } from './item-lease.js';

export type EndRefusal = 'final' | 'running' | 'started';

export function endUnstartedRefusal(
  item: LeaseState & { readonly snapshot?: readonly MethodRef[] },
  now: Date,
): EndRefusal | undefined {
  if (item.status === 'final') return 'final';
  if (item.status === 'running' && item.lease && leaseIsLive(item.lease, now)) return 'running';
  if (item.snapshot && item.snapshot.length > 0) return 'started';
  return undefined;
}
