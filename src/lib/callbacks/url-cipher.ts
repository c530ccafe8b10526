// Callback URLs are stored encrypted: a Logic Apps callback URL carries its secret (`sig`) in the query string, and
// whoever reads the state table must not be able to resume the caller's workflow. AES-256-GCM with a key derived
// (HKDF-SHA256) from ITEM_SEAL_KEY, which both apps already hold (a Key Vault reference in Azure); the callback's
// delivery id is the additional data, so a sealed URL moved onto another callback does not open. During a seal-key rotation a URL
// sealed with ITEM_SEAL_PREVIOUS_KEY still opens.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface CallbackUrlCipher {
  seal(boundTo: string, url: string): string;
  /** The URL, or undefined when the sealed text was not made by us for `boundTo`. */
  open(boundTo: string, sealed: string): string | undefined;
}

const INFO = 'mfa-reset callback url v1';
const derive = (key: Uint8Array): Buffer => Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), INFO, 32));

export function createCallbackUrlCipher(keys: {
  readonly current: Uint8Array;
  readonly previous?: Uint8Array;
}): CallbackUrlCipher {
  const current = derive(keys.current);
  const candidates = keys.previous ? [current, derive(keys.previous)] : [current];
  return {
    seal(boundTo, url) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(boundTo, 'utf8'));
      const data = Buffer.concat([cipher.update(url, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        data.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(boundTo, sealed) {
      const [version, iv, data, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || !data || !tag) return undefined;
      for (const key of candidates) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
          decipher.setAAD(Buffer.from(boundTo, 'utf8'));
          decipher.setAuthTag(Buffer.from(tag, 'base64url'));
          return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
        } catch {
          // Not this key (or tampered): try the next one.
        }
      }
      return undefined;
    },
  };
}
