/** RS256 token signing and verification for the emulated Entra ID, with a cache so a token's signature is checked once. */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface Jwk {
  kty: 'RSA';
  use: 'sig';
  alg: 'RS256';
  kid: string;
  x5t: string;
  n: string;
  e: string;
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Jwk;
}

export type JwtClaims = Record<string, unknown> & { exp?: number; nbf?: number; aud?: string; iss?: string };

export type VerifyResult =
  { ok: true; claims: JwtClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'notYetValid' };

const b64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha1').update(der).digest('base64url');
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid, x5t: kid, n: exported.n, e: exported.e },
  };
}

const MAX_CACHE = 50_000;

export class TokenSigner {
  private keys: SigningKey[] = [newKey()];
  private verified = new Map<string, JwtClaims>();

  get currentKid(): string {
    return this.current.kid;
  }

  private get current(): SigningKey {
    const key = this.keys[this.keys.length - 1];
    if (!key) throw new Error('no signing key');
    return key;
  }

  jwks(): { keys: Jwk[] } {
    return { keys: this.keys.map((k) => k.jwk) };
  }

  /** A new signing key becomes current; older keys stay published unless drop is set. */
  rotate(drop: boolean): { kid: string; dropped: string[] } {
    const key = newKey();
    const dropped = drop ? this.keys.map((k) => k.kid) : [];
    this.keys = drop ? [key] : [...this.keys, key];
    if (drop) this.verified.clear();
    return { kid: key.kid, dropped };
  }

  sign(claims: JwtClaims): string {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.current.kid }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), this.current.privateKey);
    return `${header}.${payload}.${signature.toString('base64url')}`;
  }

  /** Signature (kid must be published) and lifetime; audience and issuer are the caller's business. */
  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): VerifyResult {
    let claims = this.verified.get(token);
    if (!claims) {
      const parts = token.split('.');
      if (parts.length !== 3) return { ok: false, reason: 'malformed' };
      const [h, p, s] = parts as [string, string, string];
      let header: { alg?: string; kid?: string };
      try {
        header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
        claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as JwtClaims;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'malformed' };
      const key = this.keys.find((k) => k.kid === header.kid);
      if (header.alg !== 'RS256' || !key) return { ok: false, reason: 'signature' };
      if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url'))) {
        return { ok: false, reason: 'signature' };
      }
      if (this.verified.size >= MAX_CACHE) this.verified.clear();
      this.verified.set(token, claims);
    }
    if (typeof claims.exp === 'number' && claims.exp <= nowSeconds) return { ok: false, reason: 'expired' };
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 300) return { ok: false, reason: 'notYetValid' };
    return { ok: true, claims };
  }

  /** For tests of the verifying side: a key pair the emulator does not publish. */
  static foreignSign(claims: JwtClaims, kid?: string): string {
    const key = newKey();
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: kid ?? key.kid }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key.privateKey);
    return `${header}.${payload}.${signature.toString('base64url')}`;
  }
}
