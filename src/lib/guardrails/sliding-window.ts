// Sliding 60-minute windows made of 5-minute buckets: every instance derives the same bucket from its clock, and a
// counter is a small map bucket start → users, so two bursts on either side of a clock hour are counted together.
//
// A bucket leaves the window when its END is 60 minutes old, not its start: a user counts for at least 60 minutes
// (at most 65), so no two full bursts ever fit in one 60-minute span. The price is up to 5 minutes of extra wait.

export const WINDOW_SECONDS = 3600;
export const BUCKET_SECONDS = 300;

const windowMs = WINDOW_SECONDS * 1000;
const bucketMs = BUCKET_SECONDS * 1000;

/** Users per bucket, keyed by the bucket's start (`2026-11-27T10:55Z`, sortable). */
export type Buckets = Readonly<Record<string, number>>;

/** The bucket a moment falls into. */
export function bucketAt(now: Date): string {
  const start = Math.floor(now.getTime() / bucketMs) * bucketMs;
  return `${new Date(start).toISOString().slice(0, 16)}Z`;
}

/** When a bucket stops counting: its end plus the window. */
export function bucketExpiry(bucket: string): Date {
  return new Date(Date.parse(bucket) + bucketMs + windowMs);
}

/** The buckets still counted at `now` with at least one user (expired and empty ones are dropped). */
export function liveBuckets(buckets: Buckets, now: Date): Record<string, number> {
  const live: Record<string, number> = {};
  for (const [bucket, users] of Object.entries(buckets)) {
    if (users > 0 && bucketExpiry(bucket).getTime() > now.getTime()) live[bucket] = users;
  }
  return live;
}

/** Users counted at `now`. */
export function usersInWindow(buckets: Buckets, now: Date): number {
  return Object.values(liveBuckets(buckets, now)).reduce((sum, users) => sum + users, 0);
}

/**
 * The earliest moment `amount` more users fit under `limit`, as the oldest buckets leave the window; `now` when they
 * fit already, undefined when they never can (more than the limit itself).
 */
export function fitsAt(buckets: Buckets, now: Date, amount: number, limit: number): Date | undefined {
  if (amount > limit) return undefined;
  const live = Object.entries(liveBuckets(buckets, now)).sort(([a], [b]) => Date.parse(a) - Date.parse(b));
  let excess = live.reduce((sum, [, users]) => sum + users, 0) + amount - limit;
  if (excess <= 0) return now;
  for (const [bucket, users] of live) {
    excess -= users;
    if (excess <= 0) return bucketExpiry(bucket);
  }
  return undefined; // unreachable: amount <= limit means the live buckets alone hold the excess
}

/** Whole seconds from `now` to `then` (at least 1), for Retry-After. */
export function secondsUntil(then: Date, now: Date): number {
  return Math.max(1, Math.ceil((then.getTime() - now.getTime()) / 1000));
}
