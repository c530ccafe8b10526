// Hybrid encryption of a Temporary Access Pass so that only the intake can read it: the worker seals the value with a
// fresh AES-256-GCM key and wraps that key with the intake's RSA public key (RSA-OAEP with SHA-256, Key Vault's
// `RSA-OAEP-256`). The intake unwraps the key with the private key, which in Azure never leaves Key Vault. The
// request id and item index are the GCM additional data, so a ciphertext moved to another item does not open.
import { constants, createCipheriv, createDecipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** What is stored: every part base64; `alg` names the scheme so that a later one can be told apart. */
export interface TapEnvelope {
  readonly v: 1;
  readonly alg: 'RSA-OAEP-256+A256GCM';
  /** The wrapped AES key. */
  readonly wk: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

/** Unwraps an AES key wrapped with RSA-OAEP-256 (a Key Vault key, or a local private key). */
export interface TapKeyUnwrapper {
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

const additionalData = (requestId: string, index: number): Buffer =>
  Buffer.from(`mfa-reset/tap/v1|${requestId}|${index}`);

/**
 * The public key from a setting: a PEM (`-----BEGIN PUBLIC KEY-----`, or an RSA key's), or base64 of that PEM or of
 * DER SubjectPublicKeyInfo. It must be RSA of at least 2048 bits.
 */
export function parseTapPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) key = createPublicKey(trimmed);
  else {
    const bytes = Buffer.from(trimmed, 'base64');
    const asText = bytes.toString('utf8');
    key = asText.startsWith('-----BEGIN')
      ? createPublicKey(asText)
      : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048) throw new Error('must be an RSA public key of 2048 bits or more');
  return key;
}

export function sealTap(value: string, publicKey: KeyObject, requestId: string, index: number): TapEnvelope {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(requestId, index));
  const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const wk = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  key.fill(0);
  return {
    v: 1,
    alg: 'RSA-OAEP-256+A256GCM',
    wk: wk.toString('base64'),
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

export async function openTap(
  envelope: TapEnvelope,
  unwrapper: TapKeyUnwrapper,
  requestId: string,
  index: number,
): Promise<string> {
  if (envelope.v !== 1 || envelope.alg !== 'RSA-OAEP-256+A256GCM') throw new Error('unknown TAP envelope');
  const key = Buffer.from(await unwrapper.unwrap(Buffer.from(envelope.wk, 'base64')));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(additionalData(requestId, index));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]).toString('utf8');
  } finally {
    key.fill(0);
  }
}

export function isTapEnvelope(value: unknown): value is TapEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return e.v === 1 && ['wk', 'iv', 'ct', 'tag'].every((k) => typeof e[k] === 'string');
}
