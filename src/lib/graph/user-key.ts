// Validation of the keys that go into Graph URLs and $filter expressions.

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Entra UPNs: one @, a local part of letters, digits and ' . - _ ! # ^ ~ (guests add #EXT#), a dotted domain.
const upnPattern = /^[A-Za-z0-9'._!#^~+$&-]{1,113}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export function isGuid(value: string): boolean {
  return guidPattern.test(value);
}

export function isUpn(value: string): boolean {
  return value.length <= 256 && upnPattern.test(value) && !value.includes('..');
}

/** A user key is an object id (GUID) or a UPN. */
export function isUserKey(value: string): boolean {
  return isGuid(value) || isUpn(value);
}

/** A path segment for a user key: URL-encoded, with `'` encoded too (Graph reads it as a string delimiter). */
export function encodeUserKey(value: string): string {
  return encodeURIComponent(value).replace(/'/g, '%27');
}

/** Asserts a GUID before it is put into an OData $filter (nothing else may reach a filter expression). */
export function filterGuid(value: string): string {
  if (!isGuid(value)) throw new TypeError('Refusing to put a value that is not a GUID into a Graph $filter');
  return value.toLowerCase();
}
