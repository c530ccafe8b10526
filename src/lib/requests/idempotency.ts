// Idempotency keys and body fingerprints (IETF draft-ietf-httpapi-idempotency-key-header).
// With an Idempotency-Key header, the key is (caller, header value). Without one, the natural key is
// (caller, the ticket + user pairs, dryRun): a retried POST finds the first request, while a dry run followed by
// the real run are two requests. The fingerprint covers the whole normalized request: the same key with another
// fingerprint is a conflict (422).

import { createHash } from 'node:crypto';
import type { CallerRef } from '../domain/index.js';
import type { ParsedRequest } from './parsed-request.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const callerPart = (c: CallerRef): string => [c.tenantId, c.appId, c.objectId ?? ''].join('|');

/** Header values: 1–255 visible ASCII characters; a quoted structured-field string is unquoted. */
export function parseIdempotencyHeader(value: string | null): { ok: true; key?: string } | { ok: false } {
  if (value === null) return { ok: true };
  let v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  if (!/^[\x21-\x7e]{1,255}$/.test(v)) return { ok: false };
  return { ok: true, key: v };
}

export function fingerprint(request: ParsedRequest): string {
  const items = request.items
    .map((i) => [i.userKey, i.ticket, i.reason, i.requestedBy ?? null] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sha256(JSON.stringify({ items, options: request.options }));
}

export function idempotencyKey(caller: CallerRef, request: ParsedRequest, headerKey?: string): string {
  if (headerKey !== undefined) return sha256(`header|${callerPart(caller)}|${headerKey}`);
  const pairs = request.items.map((i) => `${i.userKey}\u0000${i.ticket}`).sort();
  return sha256(`natural|${callerPart(caller)}|${request.options.dryRun}|${pairs.join('\u0001')}`);
}
