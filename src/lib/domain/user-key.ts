// Who a reset is for: an object id (GUID) or a user principal name. One rule, used by the intake (which refuses a
// bad key with a 400) and by the worker (which never sends one to Graph), so a key the intake accepts is never
// refused later.

/** An Entra object id, request id or correlation id: 8-4-4-4-12 hex digits, any case. */
export const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return guidPattern.test(value);
}

/** Longest UPN Entra accepts (Microsoft Entra user name policy). */
export const maxUpnLength = 113;

// Entra's user name policy: the name before the @ uses letters, digits and ' . - _ ! # ^ ~ only (guests' `#EXT#`
// included); a dot never starts or ends it (no dot right before the @) nor follows another dot. The domain is a
// dotted DNS name.
const upnName = /^[A-Za-z0-9'_!#^~-]+(?:\.[A-Za-z0-9'_!#^~-]+)*$/;
const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const upnDomain = new RegExp(`^${label}(?:\\.${label})+$`);

export function isUpn(value: string): boolean {
  if (value.length > maxUpnLength) return false;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return false;
  return upnName.test(value.slice(0, at)) && upnDomain.test(value.slice(at + 1));
}

/** A user key is an object id (GUID) or a UPN. */
export function isUserKey(value: string): boolean {
  return isGuid(value) || isUpn(value);
}

/** The stored form of a key given by a caller: trimmed and lower-cased; undefined when it is not a user key. */
export function normalizeUserKey(value: string): string | undefined {
  const key = value.trim();
  return isUserKey(key) ? key.toLowerCase() : undefined;
}
