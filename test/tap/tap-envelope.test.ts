// The TAP envelope and its settings: only the private key's holder opens a pass, a pass opens only for its own item,
// a tampered envelope never opens, the worker's public key may be given in the forms the README names, and each app
// keeps only its half of the key. The policy's terms: the tenant's bounds and one-time rule decide.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSealKey } from '../../dev/stack/seal-key.js';
import { newTapKeySettings } from '../../dev/stack/tap-key.js';
import { tapTerms, type TapPolicy } from '../../src/lib/domain/index.js';
import { ConfigError, loadConfig } from '../../src/lib/config/index.js';
import { openTap, parseTapPublicKey, sealTap } from '../../src/lib/tap/tap-envelope.js';
import { localTapUnwrapper } from '../../src/lib/tap/tap-unwrappers.js';

const keys = newTapKeySettings();
const publicKey = parseTapPublicKey(keys.TAP_PUBLIC_KEY);
const unwrapper = localTapUnwrapper(keys.TAP_PRIVATE_KEY_FILE);
const request = '6f1c0d4e-1b7a-4c1e-9f49-0b9f3a2d4e55';

describe('TAP envelope', () => {
  it('opens with the private key, for the same request and item only; the stored form holds no plaintext', async () => {
    const envelope = sealTap('Hk3#pQ7z', publicKey, request, 3);
    expect(JSON.stringify(envelope)).not.toContain('Hk3#pQ7z');
    expect(await openTap(envelope, unwrapper, request, 3)).toBe('Hk3#pQ7z');
    await expect(openTap(envelope, unwrapper, request, 4)).rejects.toThrow();
    await expect(openTap(envelope, unwrapper, '00000000-0000-4000-8000-000000000000', 3)).rejects.toThrow();
  });

  it('never opens a tampered envelope, nor one sealed for another key', async () => {
    const envelope = sealTap('Hk3#pQ7z', publicKey, request, 0);
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };
    for (const field of ['ct', 'tag', 'iv', 'wk'] as const) {
      await expect(openTap({ ...envelope, [field]: flip(envelope[field]) }, unwrapper, request, 0)).rejects.toThrow();
    }
    const other = parseTapPublicKey(newTapKeySettings().TAP_PUBLIC_KEY);
    await expect(openTap(sealTap('x'.repeat(8), other, request, 0), unwrapper, request, 0)).rejects.toThrow();
  });

  it('reads TAP_PUBLIC_KEY as PEM, base64 of the PEM or base64 of DER; refuses small or non-RSA keys', () => {
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const form of [keys.TAP_PUBLIC_KEY, Buffer.from(keys.TAP_PUBLIC_KEY).toString('base64'), der]) {
      expect(parseTapPublicKey(form).asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => parseTapPublicKey(String(small))).toThrow(/2048/);
    expect(() => parseTapPublicKey(String(ec))).toThrow(/RSA/);
  });
});

describe('TAP settings', () => {
  const base = {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    AUTH_TENANT_ID: '11111111-2222-3333-4444-555555555555',
    AUTH_AUDIENCE: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    ITEM_SEAL_KEY: newSealKey(),
    MfaAudit: 'UseDevelopmentStorage=true',
  };
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems.map((p) => p.key);
    }
  };

  it('each app keeps only its half: the worker the public key, the intake the private key', () => {
    const env = { ...base, ...keys, TAP_KEY_ID: '' };
    const worker = loadConfig({ ...env, MFA_RESET_FUNCTIONS: 'worker' }).tap;
    expect(Object.keys(worker)).toEqual(['publicKey']);
    expect(worker.publicKey?.asymmetricKeyType).toBe('rsa');
    expect(loadConfig({ ...env, MFA_RESET_FUNCTIONS: 'intake' }).tap).toEqual({
      privateKeyFile: keys.TAP_PRIVATE_KEY_FILE,
    });
    expect(loadConfig(base).tap).toEqual({});
  });

  it('refuses a bad public key, a Key Vault id that is not a key URL, and both private-key settings at once', () => {
    expect(problems({ ...base, TAP_PUBLIC_KEY: 'not a key' })).toEqual(['TAP_PUBLIC_KEY']);
    expect(problems({ ...base, TAP_KEY_ID: 'https://kv.vault.azure.net/secrets/tap' })).toEqual(['TAP_KEY_ID']);
    expect(
      problems({ ...base, TAP_KEY_ID: 'https://kv.vault.azure.net/keys/tap', TAP_PRIVATE_KEY_FILE: '/tmp/k.pem' }),
    ).toEqual(['TAP_PRIVATE_KEY_FILE']);
    expect(problems({ ...base, TAP_KEY_ID: 'https://kv.vault.azure.net/keys/tap/0123456789abcdef' })).toEqual([]);
  });
});

describe('tapTerms (the tenant policy decides)', () => {
  const policy: TapPolicy = {
    enabled: true,
    defaultLifetimeMinutes: 60,
    minimumLifetimeMinutes: 60,
    maximumLifetimeMinutes: 480,
    usableOnceOnly: false,
  };

  it("takes the policy's defaults, and the caller's terms within its bounds", () => {
    expect(tapTerms({}, policy)).toEqual({ ok: true, terms: { lifetimeMinutes: 60, isUsableOnce: false } });
    expect(tapTerms({ lifetimeMinutes: 480, isUsableOnce: true }, policy)).toEqual({
      ok: true,
      terms: { lifetimeMinutes: 480, isUsableOnce: true },
    });
    expect(tapTerms({}, { ...policy, usableOnceOnly: true })).toMatchObject({ terms: { isUsableOnce: true } });
  });

  it('refuses a disabled method, a lifetime outside the bounds, and a multi-use pass where only one-time is allowed', () => {
    expect(tapTerms({}, { ...policy, enabled: false })).toMatchObject({
      ok: false,
      outcome: { reason: 'tap_disabled' },
    });
    for (const lifetimeMinutes of [59, 481]) {
      expect(tapTerms({ lifetimeMinutes }, policy)).toMatchObject({
        ok: false,
        outcome: { reason: 'tap_refused_by_policy', detail: expect.stringMatching(/60 and 480/) as unknown },
      });
    }
    expect(tapTerms({ isUsableOnce: false }, { ...policy, usableOnceOnly: true })).toMatchObject({
      ok: false,
      outcome: { reason: 'tap_refused_by_policy' },
    });
  });
});
