// A person calling with their own (delegated) token is the requester: the audit records their object id from the token.
// `requestedBy` exists for applications acting on someone's behalf (a service desk tool naming its agent); from a
// person it could only name someone else, so it is refused unless it is their own object id, which is then dropped
// (nothing is left to "claim": the verified identity says it).

import type { VerifiedIdentity } from '../domain/index.js';
import type { ProblemError } from '../http/problem.js';
import type { ParsedRequest } from './parsed-request.js';

/** A CSV of thousands of rows lists the first lines only (the count says how many). */
const MAX_LISTED = 100;

const MESSAGE =
  'is for applications acting for someone; you are signed in as yourself and the service records you (your object ' +
  'id) as the requester: leave requestedBy out';

/** The request as a person may make it, or what they must change. App callers' requests pass unchanged. */
export function forPerson(
  parsed: ParsedRequest,
  identity: VerifiedIdentity,
): { ok: true; request: ParsedRequest } | { ok: false; errors: ProblemError[]; total: number } {
  if (identity.identityType !== 'user') return { ok: true, request: parsed };
  const self = identity.objectId?.toLowerCase();
  const foreign = (v: string | undefined): boolean => v !== undefined && v.toLowerCase() !== self;
  const errors: ProblemError[] = [];
  let total = 0;
  if (parsed.source === 'json') {
    if (foreign(parsed.requestedBy) || parsed.items.some((i) => foreign(i.requestedBy))) {
      errors.push({ field: 'requestedBy', message: MESSAGE });
      total = 1;
    }
  } else {
    for (const item of parsed.items) {
      if (!foreign(item.requestedBy)) continue;
      total += 1;
      if (errors.length < MAX_LISTED)
        errors.push({ ...(item.line ? { line: item.line } : {}), message: `requestedBy ${MESSAGE}` });
    }
  }
  if (errors.length) return { ok: false, errors, total };
  const { requestedBy: _dropped, ...rest } = parsed;
  return {
    ok: true,
    request: { ...rest, items: parsed.items.map(({ requestedBy: _own, ...item }) => item) },
  };
}
