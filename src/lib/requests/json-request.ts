// The JSON forms of POST /api/resets: one user (`user`) or several (`users`). Unknown fields are refused.

import { z } from 'zod';
import type { ProblemError } from '../http/problem.js';
import type { NewItem } from '../domain/index.js';
import { optionsSchema, reasonSchema, requestedBySchema, ticketSchema, userSchema } from './fields.js';
import { compromisedRevokeError } from './compromised-rule.js';
import { resolveOptions } from './options.js';
import type { ParseResult } from './parsed-request.js';

const common = {
  ticket: ticketSchema,
  reason: reasonSchema,
  requestedBy: requestedBySchema.optional(),
  options: optionsSchema.optional(),
};

const requiredMessage = (field: string): string =>
  field === 'ticket' ? 'is required: the ITSM ticket number (e.g. INC0012345)' : 'is required';

function issuesToErrors(issues: readonly z.core.$ZodIssue[]): ProblemError[] {
  const errors: ProblemError[] = [];
  for (const issue of issues) {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: field ? `${field}.${key}` : key, message: 'is not a known field' });
      }
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      errors.push({ field, message: requiredMessage(field) });
    } else {
      errors.push({ field: field || '(body)', message: issue.message });
    }
  }
  return errors;
}

/** Validates a parsed JSON body against both forms; `maxUsers` caps `users`. Never throws. */
export function parseJsonRequest(body: unknown, maxUsers: number): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  }
  const hasUser = 'user' in body;
  const hasUsers = 'users' in body;
  if (hasUser && hasUsers) {
    return { ok: false, errors: [{ field: 'users', message: 'give either "user" or "users", not both' }] };
  }
  if (!hasUser && !hasUsers) {
    return { ok: false, errors: [{ field: 'user', message: 'is required: "user" (one) or "users" (several)' }] };
  }
  const schema = hasUsers
    ? z.strictObject({
        users: z
          .array(userSchema, { error: 'must be a list of UPNs or object ids' })
          .min(1, 'must list at least one user')
          .max(maxUsers, `must not list more than ${maxUsers} users`),
        ...common,
      })
    : z.strictObject({ user: userSchema, ...common });
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues) };

  const data = parsed.data as z.infer<typeof schema> & { user?: string; users?: string[] };
  const users = data.users ?? (data.user ? [data.user] : []);
  const seen = new Set<string>();
  const items: NewItem[] = [];
  for (const userKey of users) {
    if (seen.has(userKey)) continue;
    seen.add(userKey);
    items.push({
      userKey,
      ticket: data.ticket,
      reason: data.reason,
      ...(data.requestedBy ? { requestedBy: data.requestedBy } : {}),
    });
  }
  const options = resolveOptions(data.options);
  const revokeError = compromisedRevokeError(items, options, 'options.revokeSessions');
  if (revokeError) return { ok: false, errors: [revokeError] };
  return {
    ok: true,
    request: {
      source: 'json',
      ticket: data.ticket,
      reason: data.reason,
      ...(data.requestedBy ? { requestedBy: data.requestedBy } : {}),
      options,
      items,
      duplicates: users.length - items.length,
    },
  };
}
