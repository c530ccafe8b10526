// The signature on a completion callback (docs/api.md, "Completion callbacks"): HMAC-SHA256 with CALLBACK_SIGNING_KEY
// over `<timestamp>.<raw body>`, standard base64, sent as `x-mfa-reset-signature: v1=<mac>` next to
// `x-mfa-reset-timestamp: <unix seconds>`. Binding the timestamp lets a receiver refuse a replayed old call.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const callbackHeaders = {
  signature: 'x-mfa-reset-signature',
  timestamp: 'x-mfa-reset-timestamp',
  delivery: 'x-mfa-reset-delivery',
} as const;

/** The MAC of one call, as the `v1=` value carries it. */
export const callbackMac = (key: Uint8Array, timestamp: string, body: string): string =>
  createHmac('sha256', key).update(`${timestamp}.${body}`, 'utf8').digest('base64');

export const signatureHeader = (key: Uint8Array, timestamp: string, body: string): string =>
  `v1=${callbackMac(key, timestamp, body)}`;

/**
 * What a receiver does (our tests use it; docs/servicenow.md shows the same in a ServiceNow script): recompute the MAC,
 * compare in constant time, and refuse a timestamp more than `toleranceSeconds` away from now.
 */
export function verifyCallbackSignature(
  key: Uint8Array,
  headers: { readonly signature: string | undefined; readonly timestamp: string | undefined },
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const { signature, timestamp } = headers;
  if (!signature?.startsWith('v1=') || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const given = Buffer.from(signature.slice(3), 'base64');
  const expected = Buffer.from(callbackMac(key, timestamp, body), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
