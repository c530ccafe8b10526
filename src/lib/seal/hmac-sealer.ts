// The item sealer over HMAC-SHA256 (src/lib/domain/item-seal.ts). Both apps hold the key: the intake seals, the worker
// verifies; a second key is accepted while a rotation is under way (docs/operations.md, "Rotating the seal key").
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ItemSealer } from '../domain/index.js';

export interface SealKeys {
  /** ITEM_SEAL_KEY: seals are made with it and checked against it. */
  readonly current: Uint8Array;
  /** ITEM_SEAL_PREVIOUS_KEY: seals made with it are still accepted (work stored before a rotation). */
  readonly previous?: Uint8Array;
}

/** At least 256 bits: the key is the only thing between write access to storage and work the worker does. */
export const MIN_SEAL_KEY_BYTES = 32;

const mac = (key: Uint8Array, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

export function createHmacSealer(keys: SealKeys): ItemSealer {
  for (const key of [keys.current, keys.previous]) {
    if (key && key.length < MIN_SEAL_KEY_BYTES)
      throw new Error(`a seal key must be at least ${MIN_SEAL_KEY_BYTES} bytes`);
  }
  const candidates = keys.previous ? [keys.current, keys.previous] : [keys.current];
  return {
    seal: (text) => mac(keys.current, text).toString('base64url'),
    verify: (text, seal) => {
      const given = Buffer.from(seal, 'base64url');
      // Every candidate is computed and compared, so the time taken says nothing about which one matched.
      let ok = false;
      for (const key of candidates) {
        const expected = mac(key, text);
        if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
      }
      return ok;
    },
  };
}
