/** Deterministic identifiers and small helpers shared by the emulator's modules. */
import { createHash, randomUUID } from 'node:crypto';

/** A stable GUID derived from its parts (name-based, like a UUID v5). */
export function guidFrom(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const newGuid = (): string => randomUUID();

/** Graph's innerError date: no fractional seconds, no Z. */
export const graphDate = (d = new Date()): string => d.toISOString().slice(0, 19);

/** Small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
