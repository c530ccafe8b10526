// The callback URL policy (SSRF allow-list), the URL cipher and the signature scheme, without a stack.
import { describe, expect, it } from 'vitest';
import { createCallbackUrlCipher } from '../../src/lib/callbacks/url-cipher.js';
import { callbackMac, verifyCallbackSignature } from '../../src/lib/callbacks/signature.js';
import {
  callbackRetryDelaySeconds,
  callbackVerdict,
  checkCallbackUrl,
  hostAllowed,
  type CallbackPolicy,
} from '../../src/lib/domain/index.js';

const policy: CallbackPolicy = {
  allowedHosts: ['*.logic.azure.com', 'contoso.service-now.com'],
  allowLocalhost: false,
};

describe('checkCallbackUrl', () => {
  it('accepts an allowed host on 443, keeping the query string (the sig) in the URL it returns', () => {
    const url = 'https://prod-01.westeurope.logic.azure.com/workflows/1/runs/2/callback?sp=%2Fruns&sig=S3CRET';
    expect(checkCallbackUrl(url, policy)).toEqual({ ok: true, url, host: 'prod-01.westeurope.logic.azure.com' });
    expect(checkCallbackUrl('https://contoso.service-now.com:443/api/x', policy)).toMatchObject({ ok: true });
  });

  it.each([
    ['http://prod-01.westeurope.logic.azure.com/x', 'https'],
    ['https://logic.azure.com/x', 'CALLBACK_ALLOWED_HOSTS'],
    ['https://evil.logic.azure.com.example.net/x', 'CALLBACK_ALLOWED_HOSTS'],
    ['https://other.service-now.com/x', 'CALLBACK_ALLOWED_HOSTS'],
    ['https://127.0.0.1/x', 'IP address'],
    ['https://2130706433/x', 'IP address'],
    ['https://0x7f.1/x', 'IP address'],
    ['https://[fd00::1]/x', 'IP address'],
    ['https://u:p@contoso.service-now.com/x', 'credentials'],
    ['https://contoso.service-now.com:8443/x', 'port 443'],
    ['https://contoso.service-now.com/x#frag', 'fragment'],
    ['not a url?sig=S3CRET', 'absolute https URL'],
    ['https://localhost:8443/x', 'port 443'],
    ['https://localhost/x', 'CALLBACK_ALLOWED_HOSTS'],
  ])('refuses %s', (url, says) => {
    const result = checkCallbackUrl(url, policy);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain(says);
      expect(result.message).not.toContain('S3CRET');
    }
  });

  it('refuses everything, naming the setting, when no host is allowed', () => {
    const result = checkCallbackUrl('https://a.logic.azure.com/x', { allowedHosts: [], allowLocalhost: false });
    expect(result).toEqual({ ok: false, message: expect.stringContaining('CALLBACK_ALLOWED_HOSTS') as string });
  });

  it('lets localhost in on any port only with the development flag', () => {
    expect(checkCallbackUrl('https://localhost:8443/x', { ...policy, allowLocalhost: true })).toMatchObject({
      ok: true,
      host: 'localhost',
    });
  });

  it('matches wildcards on sub-domains only', () => {
    expect(hostAllowed('a.logic.azure.com', ['*.logic.azure.com'])).toBe(true);
    expect(hostAllowed('logic.azure.com', ['*.logic.azure.com'])).toBe(false);
    expect(hostAllowed('xlogic.azure.com', ['*.logic.azure.com'])).toBe(false);
  });
});

describe('delivery rules', () => {
  it('retries 408, 429, 5xx and no answer; stops on other 4xx and 3xx', () => {
    expect([200, 204, 503, 500, 408, 429, undefined, 400, 404, 410, 302].map(callbackVerdict)).toEqual([
      'delivered',
      'delivered',
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
      'stop',
      'stop',
      'stop',
      'stop',
    ]);
  });

  it('backs off 10 s, 1 min, 5 min, 30 min, then hourly', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(callbackRetryDelaySeconds)).toEqual([10, 60, 300, 1800, 3600, 3600, 3600]);
  });
});

describe('the stored URL and the signature', () => {
  const key = Buffer.alloc(32, 9);
  it('seals the URL so that it opens only for the delivery it was sealed for, and with the previous key', () => {
    const cipher = createCallbackUrlCipher({ current: key });
    const sealed = cipher.seal('delivery-1', 'https://a.logic.azure.com/x?sig=S3CRET');
    expect(sealed).not.toContain('S3CRET');
    expect(cipher.open('delivery-1', sealed)).toBe('https://a.logic.azure.com/x?sig=S3CRET');
    expect(cipher.open('delivery-2', sealed)).toBeUndefined();
    const rotated = createCallbackUrlCipher({ current: Buffer.alloc(32, 1), previous: key });
    expect(rotated.open('delivery-1', sealed)).toBe('https://a.logic.azure.com/x?sig=S3CRET');
    expect(createCallbackUrlCipher({ current: Buffer.alloc(32, 1) }).open('delivery-1', sealed)).toBeUndefined();
  });

  it('gives the example docs/api.md shows', () => {
    const docKey = Buffer.from('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', 'base64');
    expect(callbackMac(docKey, '1764669600', '{"id":"x"}')).toBe('U3rXrssTO0mLxNOf0tSVn3/IOysV5dqnjJyKR42rLAY=');
  });

  it('signs "<timestamp>.<body>" and refuses an old timestamp (replay)', () => {
    const body = '{"id":"x"}';
    const signature = `v1=${callbackMac(key, '1700000000', body)}`;
    expect(verifyCallbackSignature(key, { signature, timestamp: '1700000000' }, body, 1700000100)).toBe(true);
    expect(verifyCallbackSignature(key, { signature, timestamp: '1700000000' }, body, 1700000400)).toBe(false);
    expect(verifyCallbackSignature(key, { signature, timestamp: '1700000001' }, body, 1700000100)).toBe(false);
  });
});
