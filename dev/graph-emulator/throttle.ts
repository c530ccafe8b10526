/**
 * Throttling, profile "documented" (research §7.3): a resource-unit token bucket per app and tenant (3,500 / 5,000 /
 * 8,000 RU per 10 s by tenant size), 3,000 writes per 150 s per app and tenant, 18,000 writes per 5 min per tenant.
 * `timeScale` multiplies every window (and so every Retry-After). Profile "off" admits everything.
 *
 * Graph does not document how its write limit is enforced. `writeShape` picks the shape of the app's write limit:
 * 'fixed-window' (default; 3,000 writes in a window that opens at the first write) or 'token-bucket' (a bucket of 300
 * writes refilled continuously over 15 s: the same 20 writes/s, with a smaller burst), so a client tuned to one shape can
 * be tried against the other (issue 16).
 */

export interface ThrottleConfig {
  /** 'strict' = 'documented' plus 5 requests per 10 s per app on /users/{id}/authentication/* (research §7.3, UNCONFIRMED). */
  profile: 'off' | 'documented' | 'strict';
  timeScale: number;
  /** Shape of the app's write limit (default 'fixed-window'). */
  writeShape?: WriteShape;
}

export type WriteShape = 'fixed-window' | 'token-bucket';

export type ThrottleDecision =
  { ok: true; headers: Record<string, string> } | { ok: false; headers: Record<string, string>; retryAfterMs: number };

export const RU_QUOTA = { S: 3500, M: 5000, L: 8000 } as const;
export const RU_WINDOW_MS = 10_000;
export const APP_WRITE_LIMIT = { limit: 3000, windowMs: 150_000 } as const;
/** The token-bucket shape: 300 writes, refilled over 15 s (20 writes/s, as the fixed window's average). */
export const APP_WRITE_BUCKET = { capacity: 300, refillMs: 15_000 } as const;
export const TENANT_WRITE_LIMIT = { limit: 18_000, windowMs: 300_000 } as const;
export const STRICT_AUTH_METHODS_LIMIT = { limit: 5, windowMs: 10_000 } as const;

interface Bucket {
  tokens: number;
  last: number;
}
interface Window {
  start: number;
  count: number;
}

/** Resource-unit cost of a request (research §7.3): GET user / transitiveMemberOf 2, other GETs 1, writes 1; query adjustments. */
export function requestCost(method: string, segments: readonly string[], query: URLSearchParams): number {
  if (method !== 'GET') return 1;
  let cost = 1;
  if (segments[0] === 'users' && (segments.length === 2 || segments[2] === 'transitiveMemberOf')) cost = 2;
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && top < 20) cost -= 1;
  return Math.max(1, cost);
}

/** Seconds for Retry-After: whole seconds at real speed, millisecond precision when time is compressed. */
export function retryAfterValue(ms: number, timeScale: number): string {
  if (timeScale >= 1) return String(Math.max(1, Math.ceil(ms / 1000)));
  return String(Math.max(0.001, Math.ceil(ms) / 1000));
}

export class Throttle {
  private config: ThrottleConfig = { profile: 'off', timeScale: 1 };
  private buckets = new Map<string, Bucket>();
  private appWrites = new Map<string, Window>();
  private appWriteBuckets = new Map<string, Bucket>();
  private tenantWrites: Window = { start: 0, count: 0 };
  private authMethodWindows = new Map<string, Window>();

  get current(): ThrottleConfig {
    return { ...this.config };
  }

  configure(config: ThrottleConfig): void {
    this.config = { ...config };
    this.reset();
  }

  reset(): void {
    this.buckets.clear();
    this.appWrites.clear();
    this.appWriteBuckets.clear();
    this.tenantWrites = { start: 0, count: 0 };
    this.authMethodWindows.clear();
  }

  check(
    appId: string,
    tenantId: string,
    size: 'S' | 'M' | 'L',
    isWrite: boolean,
    cost: number,
    now = Date.now(),
    authMethods = false,
  ): ThrottleDecision {
    if (this.config.profile === 'off') return { ok: true, headers: {} };
    const ts = this.config.timeScale;
    const quota = RU_QUOTA[size];
    const rate = quota / (RU_WINDOW_MS * ts); // RU per ms
    let bucket = this.buckets.get(appId);
    if (!bucket) {
      bucket = { tokens: quota, last: now };
      this.buckets.set(appId, bucket);
    }
    bucket.tokens = Math.min(quota, bucket.tokens + (now - bucket.last) * rate);
    bucket.last = now;

    const refuse = (retryAfterMs: number, scope: string, information: string): ThrottleDecision => ({
      ok: false,
      retryAfterMs,
      headers: {
        'retry-after': retryAfterValue(retryAfterMs, ts),
        'x-ms-throttle-scope': scope,
        'x-ms-throttle-information': information,
        'x-ms-resource-unit': String(cost),
      },
    });

    let strictWindow: Window | undefined;
    if (this.config.profile === 'strict' && authMethods) {
      const win = STRICT_AUTH_METHODS_LIMIT.windowMs * ts;
      strictWindow = this.authMethodWindows.get(appId);
      if (!strictWindow || now >= strictWindow.start + win) {
        strictWindow = { start: now, count: 0 };
        this.authMethodWindows.set(appId, strictWindow);
      }
      if (strictWindow.count + 1 > STRICT_AUTH_METHODS_LIMIT.limit) {
        return refuse(
          strictWindow.start + win - now,
          `Tenant_Application/AuthenticationMethods/${appId}/${tenantId}`,
          'RequestLimitExceeded',
        );
      }
    }
    let appWindow: Window | undefined;
    let appWriteBucket: Bucket | undefined;
    if (isWrite && this.config.writeShape === 'token-bucket') {
      const refill = APP_WRITE_BUCKET.capacity / (APP_WRITE_BUCKET.refillMs * ts); // writes per ms
      appWriteBucket = this.appWriteBuckets.get(appId) ?? { tokens: APP_WRITE_BUCKET.capacity, last: now };
      this.appWriteBuckets.set(appId, appWriteBucket);
      appWriteBucket.tokens = Math.min(
        APP_WRITE_BUCKET.capacity,
        appWriteBucket.tokens + (now - appWriteBucket.last) * refill,
      );
      appWriteBucket.last = now;
      if (appWriteBucket.tokens < 1) {
        return refuse(
          (1 - appWriteBucket.tokens) / refill,
          `Tenant_Application/ReadWrite/${appId}/${tenantId}`,
          'WriteLimitExceeded',
        );
      }
    } else if (isWrite) {
      const appWin = APP_WRITE_LIMIT.windowMs * ts;
      appWindow = this.appWrites.get(appId);
      if (!appWindow || now >= appWindow.start + appWin) {
        appWindow = { start: now, count: 0 };
        this.appWrites.set(appId, appWindow);
      }
      if (appWindow.count + 1 > APP_WRITE_LIMIT.limit) {
        return refuse(
          appWindow.start + appWin - now,
          `Tenant_Application/ReadWrite/${appId}/${tenantId}`,
          'WriteLimitExceeded',
        );
      }
    }
    if (isWrite) {
      const tenantWin = TENANT_WRITE_LIMIT.windowMs * ts;
      if (now >= this.tenantWrites.start + tenantWin) this.tenantWrites = { start: now, count: 0 };
      if (this.tenantWrites.count + 1 > TENANT_WRITE_LIMIT.limit) {
        return refuse(this.tenantWrites.start + tenantWin - now, `Tenant/ReadWrite/${tenantId}`, 'WriteLimitExceeded');
      }
    }
    if (bucket.tokens < cost) {
      return refuse(
        (cost - bucket.tokens) / rate,
        `Tenant_Application/ResourceUnit/${appId}/${tenantId}`,
        'ResourceUnitLimitExceeded',
      );
    }
    bucket.tokens -= cost;
    if (strictWindow) strictWindow.count += 1;
    if (appWindow) appWindow.count += 1;
    if (appWriteBucket) appWriteBucket.tokens -= 1;
    if (isWrite) this.tenantWrites.count += 1;
    const headers: Record<string, string> = { 'x-ms-resource-unit': String(cost) };
    const used = Math.max(
      1 - bucket.tokens / quota,
      appWindow ? appWindow.count / APP_WRITE_LIMIT.limit : 0,
      appWriteBucket ? 1 - appWriteBucket.tokens / APP_WRITE_BUCKET.capacity : 0,
      isWrite ? this.tenantWrites.count / TENANT_WRITE_LIMIT.limit : 0,
    );
    if (used >= 0.8) headers['x-ms-throttle-limit-percentage'] = used.toFixed(1);
    return { ok: true, headers };
  }
}
