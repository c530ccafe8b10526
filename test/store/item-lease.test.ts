// The item lease rules the store applies inside its ETag-conditional writes (src/lib/domain/item-lease.ts).
import { describe, expect, it } from 'vitest';
import {
  claimRefusal,
  failRefusal,
  holderRefusal,
  leaseFor,
  leaseIsLive,
  withoutLease,
  type LeaseState,
} from '../../src/lib/domain/item-lease.js';

const now = new Date('2026-01-01T10:00:00.000Z');
const at = (seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();
const queued: LeaseState = { status: 'queued' };
const runningFor = (owner: string, untilSeconds: number): LeaseState => ({
  status: 'running',
  lease: { owner, until: at(untilSeconds) },
});
const final: LeaseState = { status: 'final' };

describe('the item lease', () => {
  it('lets anyone claim a queued item, and a running item without a lease', () => {
    expect(claimRefusal(queued, 'w1', now)).toBeUndefined();
    expect(claimRefusal({ status: 'running' }, 'w1', now)).toBeUndefined();
  });

  it("refuses a claim while someone else's lease is live, and allows it from the moment it expires", () => {
    expect(claimRefusal(runningFor('w1', 1), 'w2', now)).toBe('leased');
    expect(claimRefusal(runningFor('w1', 0), 'w2', now)).toBeUndefined();
    expect(claimRefusal(runningFor('w1', -60), 'w2', now)).toBeUndefined();
  });

  it('lets the holder claim its own running item again (a new attempt), and nobody claim a final one', () => {
    expect(claimRefusal(runningFor('w1', 60), 'w1', now)).toBeUndefined();
    expect(claimRefusal(final, 'w1', now)).toBe('final');
  });

  it('takes a lease of leaseSeconds from now', () => {
    expect(leaseFor('w1', now, 660)).toEqual({ owner: 'w1', until: at(660) });
    expect(leaseIsLive({ owner: 'w1', until: at(1) }, now)).toBe(true);
    expect(leaseIsLive({ owner: 'w1', until: at(0) }, now)).toBe(false);
    expect(leaseIsLive({ owner: 'w1', until: 'not a time' }, now)).toBe(false);
  });

  it('lets only the holder of a running item take the steps of an attempt, expired lease or not', () => {
    expect(holderRefusal(runningFor('w1', 60), 'w1')).toBeUndefined();
    expect(holderRefusal(runningFor('w1', -60), 'w1')).toBeUndefined();
    expect(holderRefusal(runningFor('w1', 60), 'w2')).toBe('lost_lease');
    expect(holderRefusal(queued, 'w1')).toBe('lost_lease');
    expect(holderRefusal({ status: 'running' }, 'w1')).toBe('lost_lease');
    expect(holderRefusal(final, 'w1')).toBe('final');
  });

  it('fails any item that is not final, without a lease', () => {
    expect(failRefusal(queued)).toBeUndefined();
    expect(failRefusal(runningFor('w1', 60))).toBeUndefined();
    expect(failRefusal(final)).toBe('final');
  });

  it('drops the lease and nothing else when an attempt ends', () => {
    const item = { ...runningFor('w1', 60), attempts: 2 };
    expect(withoutLease(item)).toEqual({ status: 'running', attempts: 2 });
  });
});
