// The client's network address, for the audit (src/lib/domain/requester.ts). Azure's front end (App Service, which
// hosts Functions) appends the address of whoever connected to it to X-Forwarded-For, after whatever the client sent
// in that header itself: the last entry is the platform's, the ones before it are anyone's claims. So the last entry
// is taken, and only when it is an IP address (with or without a port); otherwise there is no address. Without that
// front end (local runs) the header is whatever the client sent. Never logged: it is personal data.

import { isIP } from 'node:net';

/** Longest entry worth parsing: a bracketed IPv6 address with a port. */
const MAX_ENTRY_LENGTH = 64;

/** One X-Forwarded-For entry as an address without its port, or undefined when it is not an IP address. */
export function addressOf(entry: string): string | undefined {
  const value = entry.trim();
  if (value === '' || value.length > MAX_ENTRY_LENGTH || value.includes('%')) return undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed?.[1]) return isIP(bracketed[1]) === 6 ? bracketed[1].toLowerCase() : undefined;
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(value);
  if (withPort?.[1]) return isIP(withPort[1]) === 4 ? withPort[1] : undefined;
  const kind = isIP(value);
  if (kind === 4) return value;
  return kind === 6 ? value.toLowerCase() : undefined;
}

/** The address the platform recorded: the last X-Forwarded-For entry, if it is an IP address. */
export function clientAddressOf(forwardedFor: string | null | undefined): string | undefined {
  if (!forwardedFor) return undefined;
  // From the last comma on, whatever the length before it: a long forged prefix cannot hide the platform's entry.
  return addressOf(forwardedFor.slice(forwardedFor.lastIndexOf(',') + 1));
}
