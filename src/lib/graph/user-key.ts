// User keys in Graph URLs and $filter expressions. Which keys are valid is the domain's rule (src/lib/domain/user-key.ts).
import { isGuid } from '../domain/index.js';

/** A path segment for a user key: URL-encoded, with `'` encoded too (Graph reads it as a string delimiter). */
export function encodeUserKey(value: string): string {
  return encodeURIComponent(value).replace(/'/g, '%27');
}

/** Asserts a GUID before it is put into an OData $filter (nothing else may reach a filter expression). */
export function filterGuid(value: string): string {
  if (!isGuid(value)) throw new TypeError('Refusing to put a value that is not a GUID into a Graph $filter');
  return value.toLowerCase();
}
