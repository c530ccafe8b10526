// Methods as the audit trail sees them (type and id) and the keys that compare them.
import type { GraphMethod, MethodRef } from '../domain/index.js';

/** Compares methods by type and id (ids in any case). */
export function refKey(type: string, id: string): string {
  return `${type}:${id.toLowerCase()}`;
}

/** A listed method's key; an unknown type is keyed by Graph's name for it. */
export function listedKey(m: GraphMethod): string {
  return refKey(m.type ?? m.graphType, m.id);
}

export function toRef(m: GraphMethod): MethodRef {
  return { type: m.type ?? m.graphType, id: m.id };
}

/** The general list plus the hardware tokens' own list, each method once (should the general one ever list them). */
export function mergeListings(listed: readonly GraphMethod[], hardware: readonly GraphMethod[]): GraphMethod[] {
  const seen = new Set(listed.map(listedKey));
  return [...listed, ...hardware.filter((m) => !seen.has(listedKey(m)))];
}
