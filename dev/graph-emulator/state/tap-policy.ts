/**
 * The tenant's Temporary Access Pass policy, as Graph serves it at
 * GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass
 * (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration?view=graph-rest-1.0).
 * The fixture may set it; tests change it through PUT /_emulator/policies/temporaryAccessPass.
 */
import { z } from 'zod';

export interface TapPolicy {
  state: 'enabled' | 'disabled';
  defaultLifetimeInMinutes: number;
  minimumLifetimeInMinutes: number;
  maximumLifetimeInMinutes: number;
  /** true: every pass of the tenant is one-time use; false: a pass may be either. */
  isUsableOnce: boolean;
  defaultLength: number;
  /** Group ids the method is enabled for (`all_users` for everyone). */
  includeTargets: string[];
  /** Emulator only, never served: every pass created gets this value (the secret-leak test's sentinel). */
  fixedValue: string | null;
}

/** The resource page's bounds: lifetimes 10–43200 minutes (30 days), length 8–48 characters. */
export const TAP_LIFETIME_BOUNDS = { min: 10, max: 43_200 } as const;

/** Enabled for everyone, one hour by default, 1–8 hours, multi-use allowed, 8 characters (the portal's defaults). */
export const defaultTapPolicy = (): TapPolicy => ({
  state: 'enabled',
  defaultLifetimeInMinutes: 60,
  minimumLifetimeInMinutes: 60,
  maximumLifetimeInMinutes: 480,
  isUsableOnce: false,
  defaultLength: 8,
  includeTargets: ['all_users'],
  fixedValue: null,
});

const lifetime = z.number().int().min(TAP_LIFETIME_BOUNDS.min).max(TAP_LIFETIME_BOUNDS.max);

export const tapPolicySchema = z
  .strictObject({
    state: z.enum(['enabled', 'disabled']),
    defaultLifetimeInMinutes: lifetime,
    minimumLifetimeInMinutes: lifetime,
    maximumLifetimeInMinutes: lifetime,
    isUsableOnce: z.boolean(),
    defaultLength: z.number().int().min(8).max(48),
    includeTargets: z.array(z.string().min(1)),
    fixedValue: z.string().min(8).max(48).nullable(),
  })
  .partial()
  .refine(
    (p) =>
      p.minimumLifetimeInMinutes === undefined ||
      p.maximumLifetimeInMinutes === undefined ||
      p.minimumLifetimeInMinutes <= p.maximumLifetimeInMinutes,
    { message: 'minimumLifetimeInMinutes must not exceed maximumLifetimeInMinutes' },
  );

export type TapPolicyPatch = z.infer<typeof tapPolicySchema>;

/** The policy with a patch applied; the default lifetime is kept within the bounds. */
export function patchTapPolicy(policy: TapPolicy, patch: TapPolicyPatch): TapPolicy {
  const next = { ...policy, ...patch, includeTargets: [...(patch.includeTargets ?? policy.includeTargets)] };
  next.defaultLifetimeInMinutes = Math.min(
    next.maximumLifetimeInMinutes,
    Math.max(next.minimumLifetimeInMinutes, next.defaultLifetimeInMinutes),
  );
  return next;
}
