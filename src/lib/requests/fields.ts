// Field-level rules shared by the JSON and CSV forms. Messages never echo the value (it may be an address).

import { z } from 'zod';
import type { MethodTypeName } from '../domain/index.js';
import {
  deletableMethodTypeNames,
  methodTypeNames,
  normalizeUserKey,
  resetReasons,
  TAP_LIFETIME_MINUTES,
} from '../domain/index.js';

export const USER_MESSAGE = 'must be a user principal name (name@domain) or an object id (GUID)';
export const TICKET_MESSAGE =
  'must be 1 to 64 characters: letters, digits and . _ - : / # (starting with a letter or digit), e.g. INC0012345';
export const REASON_MESSAGE = `must be one of ${resetReasons.join(', ')}`;
export const REQUESTED_BY_MESSAGE = 'must be a user principal name or an object id (GUID) of the person asking';

const TICKET = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$/;
export const isTicket = (v: string): boolean => TICKET.test(v);

export const userSchema = z.string({ error: USER_MESSAGE }).transform((v, ctx) => {
  const key = normalizeUserKey(v);
  if (!key) {
    ctx.addIssue({ code: 'custom', message: USER_MESSAGE });
    return z.NEVER;
  }
  return key;
});

export const ticketSchema = z
  .string({ error: TICKET_MESSAGE })
  .transform((v) => v.trim())
  .refine(isTicket, TICKET_MESSAGE);

export const reasonSchema = z.enum(resetReasons, { error: REASON_MESSAGE });

export const requestedBySchema = z.string({ error: REQUESTED_BY_MESSAGE }).transform((v, ctx) => {
  const key = normalizeUserKey(v);
  if (!key) {
    ctx.addIssue({ code: 'custom', message: REQUESTED_BY_MESSAGE });
    return z.NEVER;
  }
  return key;
});

const typeNameMessage = `must be one of ${methodTypeNames.join(', ')}`;
const deletableMessage = `must be one of ${deletableMethodTypeNames.join(', ')} (the password is never deleted)`;

const deletableName = z.enum(deletableMethodTypeNames as [MethodTypeName, ...MethodTypeName[]], {
  error: deletableMessage,
});
const anyName = z.enum(methodTypeNames, { error: typeNameMessage });

const tapLifetimeMessage = `must be from ${TAP_LIFETIME_MINUTES.min} to ${TAP_LIFETIME_MINUTES.max} minutes (30 days), within the tenant's Temporary Access Pass policy`;

export const optionsSchema = z.strictObject({
  methods: z
    .union([z.literal('all'), z.literal('portal'), z.array(deletableName).min(1, 'must list at least one type')], {
      error: `must be "all", "portal" or a list of method types (${deletableMethodTypeNames.join(', ')})`,
    })
    .optional(),
  keep: z.array(anyName).optional(),
  revokeSessions: z.boolean({ error: 'must be true or false' }).optional(),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  /** A Temporary Access Pass after the verified reset; the tenant's policy narrows the bounds (the worker checks). */
  temporaryAccessPass: z
    .strictObject(
      {
        lifetimeMinutes: z
          .number({ error: 'must be a whole number of minutes' })
          .int('must be a whole number of minutes')
          .min(TAP_LIFETIME_MINUTES.min, tapLifetimeMessage)
          .max(TAP_LIFETIME_MINUTES.max, tapLifetimeMessage)
          .optional(),
        isUsableOnce: z.boolean({ error: 'must be true or false' }).optional(),
      },
      { error: 'must be an object: {"lifetimeMinutes": 60, "isUsableOnce": true} (both optional)' },
    )
    .optional(),
});
