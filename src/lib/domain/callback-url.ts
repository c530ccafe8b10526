// Which completion callback URLs the service may call (issue 18). The URL comes from a caller, and the worker POSTs to
// it from inside the deployment: without an allow-list that is a server-side request forgery into the network. So:
// https only, a host the operator allowed (exact names or `*.suffix` wildcards), no IP literals, no credentials in the
// URL, port 443 unless the development flag lets a local test receiver in. Messages never quote the URL: Logic Apps
// callback URLs carry their secret (`sig`) in the query string.

export interface CallbackPolicy {
  /** CALLBACK_ALLOWED_HOSTS: exact host names and `*.suffix` wildcards, lower case. Empty: callbacks refused. */
  readonly allowedHosts: readonly string[];
  /** CALLBACK_ALLOW_LOCALHOST (development only): `localhost` on any port, for a local test receiver. */
  readonly allowLocalhost: boolean;
}

export type CallbackUrlCheck =
  { readonly ok: true; readonly url: string; readonly host: string } | { readonly ok: false; readonly message: string };

/** Longest URL accepted (Logic Apps callback URLs are a few hundred characters). */
export const MAX_CALLBACK_URL_LENGTH = 2048;

const hostLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A host name (not an IP literal): dot-separated labels, the last one not all digits. */
function isHostName(host: string): boolean {
  const labels = host.split('.');
  return labels.every((l) => hostLabel.test(l)) && !/^\d+$/.test(labels.at(-1) ?? '');
}

/** Why an entry of CALLBACK_ALLOWED_HOSTS is not usable, or undefined when it is. */
export function callbackHostPatternProblem(pattern: string): string | undefined {
  const host = pattern.toLowerCase();
  const name = host.startsWith('*.') ? host.slice(2) : host;
  if (!isHostName(name)) return 'must be a host name or *.suffix (no scheme, port, path or IP address)';
  // `*.com` would allow the whole internet's .com hosts: a wildcard needs at least two labels after it.
  if (host.startsWith('*.') && name.split('.').length < 2) return 'must name at least two labels after *.';
  return undefined;
}

/** Whether `host` (lower case) is allowed by one of the patterns. `*.suffix` matches sub-domains, never the suffix. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) =>
    p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p,
  );
}

const IP_LITERAL = /^\[.*\]$|^[\d.]+$|^0x/i;

/** Checks a callback URL against the policy. Never throws; messages never contain the URL or any part of it. */
export function checkCallbackUrl(raw: string, policy: CallbackPolicy): CallbackUrlCheck {
  if (policy.allowedHosts.length === 0 && !policy.allowLocalhost) {
    return {
      ok: false,
      message: 'callbacks are not enabled on this deployment (the operator sets CALLBACK_ALLOWED_HOSTS)',
    };
  }
  if (raw.length > MAX_CALLBACK_URL_LENGTH) {
    return { ok: false, message: `must be at most ${MAX_CALLBACK_URL_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: 'must be an absolute https URL' };
  }
  if (url.protocol !== 'https:') return { ok: false, message: 'must be an https URL' };
  if (url.username !== '' || url.password !== '') return { ok: false, message: 'must not contain credentials' };
  if (url.hash !== '') return { ok: false, message: 'must not contain a fragment' };
  const host = url.hostname.toLowerCase();
  if (IP_LITERAL.test(host) || !isHostName(host)) {
    return { ok: false, message: 'must name a host, not an IP address' };
  }
  const local = policy.allowLocalhost && host === 'localhost';
  if (!local && url.port !== '' && url.port !== '443') return { ok: false, message: 'must use port 443' };
  if (!local && !hostAllowed(host, policy.allowedHosts)) {
    return { ok: false, message: 'names a host that is not in CALLBACK_ALLOWED_HOSTS' };
  }
  return { ok: true, url: url.toString(), host };
}

// ---- delivery

export type CallbackStatus = 'pending' | 'delivered' | 'failed';

/** Attempts before a callback that keeps failing with 5xx, timeouts or network errors ends `failed`. */
export const CALLBACK_MAX_ATTEMPTS = 8;

/** Delay before attempt n+1 after attempt n failed (seconds): 10 s, 1 min, 5 min, 30 min, then hourly. */
const RETRY_DELAYS_SECONDS = [10, 60, 300, 1800, 3600, 3600, 3600] as const;

export const callbackRetryDelaySeconds = (attemptsDone: number): number =>
  RETRY_DELAYS_SECONDS[Math.min(Math.max(attemptsDone, 1), RETRY_DELAYS_SECONDS.length) - 1] ?? 3600;

/**
 * What an answer means for the delivery: 2xx delivered; 408, 429, 5xx and no answer (timeout, network) are worth
 * another attempt; any other answer (4xx, and 3xx: redirects are not followed) stops it, as the receiver refused.
 */
export function callbackVerdict(status: number | undefined): 'delivered' | 'retry' | 'stop' {
  if (status === undefined) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'stop';
}
