// The Temporary Access Pass (TAP) a request may ask for once a user's reset is verified: what the caller asks, what the
// tenant's policy allows, and what each item records (never the value: that lives encrypted in a row of its own until
// its submitter reads it once). Graph's rules: temporaryaccesspassauthenticationmethod and
// temporaryaccesspassauthenticationmethodconfiguration (v1.0 resource pages).

/** Graph's bounds for any pass's lifetime, in minutes (10 minutes to 30 days). */
export const TAP_LIFETIME_MINUTES = { min: 10, max: 43_200 } as const;

/** `options.temporaryAccessPass`: absent fields take the policy's defaults. */
export interface TapRequest {
  readonly lifetimeMinutes?: number;
  readonly isUsableOnce?: boolean;
}

/** The tenant's TAP policy as the worker reads it. */
export interface TapPolicy {
  readonly enabled: boolean;
  readonly defaultLifetimeMinutes: number;
  readonly minimumLifetimeMinutes: number;
  readonly maximumLifetimeMinutes: number;
  /** true: the tenant allows one-time passes only. */
  readonly usableOnceOnly: boolean;
}

/** What the worker asks Graph for. */
export interface TapTerms {
  readonly lifetimeMinutes: number;
  readonly isUsableOnce: boolean;
}

/** The pass Graph created (the value only in memory, on its way to being encrypted). */
export interface IssuedTap extends TapTerms {
  readonly value: string;
  readonly startDateTime: string;
}

/**
 * Why no pass was issued for an item: its outcome was not a verified reset (`dry_run`, `protected`, `not_found`,
 * `not_reset`), the policy disables the method or refuses the terms, the worker has no key to encrypt it with, or
 * Graph refused or failed the call (`tap_failed`).
 */
export type TapNotIssuedReason =
  | 'dry_run'
  | 'protected'
  | 'not_found'
  | 'not_reset'
  | 'tap_disabled'
  | 'tap_refused_by_policy'
  | 'tap_not_configured'
  | 'tap_failed';

/** What an item records about its pass: never the value. */
export type TapOutcome =
  | {
      readonly status: 'issued';
      readonly startDateTime: string;
      readonly lifetimeMinutes: number;
      readonly isUsableOnce: boolean;
    }
  | { readonly status: 'not_issued'; readonly reason: TapNotIssuedReason; readonly detail?: string };

/** The pass's terms under the policy, or why the policy refuses them. */
export function tapTerms(
  asked: TapRequest,
  policy: TapPolicy,
): { readonly ok: true; readonly terms: TapTerms } | { readonly ok: false; readonly outcome: TapOutcome } {
  if (!policy.enabled) {
    return { ok: false, outcome: { status: 'not_issued', reason: 'tap_disabled' } };
  }
  const lifetimeMinutes = asked.lifetimeMinutes ?? policy.defaultLifetimeMinutes;
  if (lifetimeMinutes < policy.minimumLifetimeMinutes || lifetimeMinutes > policy.maximumLifetimeMinutes) {
    return {
      ok: false,
      outcome: {
        status: 'not_issued',
        reason: 'tap_refused_by_policy',
        detail: `lifetimeMinutes must be between ${policy.minimumLifetimeMinutes} and ${policy.maximumLifetimeMinutes} (the tenant's policy)`,
      },
    };
  }
  const isUsableOnce = asked.isUsableOnce ?? policy.usableOnceOnly;
  if (!isUsableOnce && policy.usableOnceOnly) {
    return {
      ok: false,
      outcome: {
        status: 'not_issued',
        reason: 'tap_refused_by_policy',
        detail: "isUsableOnce must be true: the tenant's policy allows one-time passes only",
      },
    };
  }
  return { ok: true, terms: { lifetimeMinutes, isUsableOnce } };
}

/** The reason an item that was not reset gets no pass (a dry run plans one; nothing is issued). */
export function tapNotIssuedFor(outcome: string, dryRun: boolean): TapNotIssuedReason {
  if (dryRun) return 'dry_run';
  if (outcome === 'protected') return 'protected';
  if (outcome === 'not_found') return 'not_found';
  return 'not_reset';
}

/** When an issued pass stops working (start + lifetime): after it, the stored ciphertext is erased unread. */
export const tapExpiresAt = (startDateTime: string, lifetimeMinutes: number): string =>
  new Date(Date.parse(startDateTime) + lifetimeMinutes * 60_000).toISOString();

/** The worker's access to Graph for a pass (the Graph adapter implements it). */
export interface TapGraphPort {
  /** The tenant's TAP policy. */
  readTapPolicy(ctx?: { readonly correlationId?: string }): Promise<TapPolicy>;
  /** Creates a pass for the user (object id); a new one replaces the user's earlier pass. */
  createTap(userId: string, terms: TapTerms, ctx?: { readonly correlationId?: string }): Promise<IssuedTap>;
}
