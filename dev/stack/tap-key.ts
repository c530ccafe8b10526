// A fresh Temporary Access Pass key pair for a local stack or a test (the embedded stand-in for the Key Vault key):
// the public half goes to the worker as TAP_PUBLIC_KEY, the private half to a file only this user can read, named by
// TAP_PRIVATE_KEY_FILE for the intake. Random per stack, like the seal key.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function newTapKeySettings(): { TAP_PUBLIC_KEY: string; TAP_PRIVATE_KEY_FILE: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mfa-reset-tap-')), 'tap-private-key.pem');
  writeFileSync(file, privateKey, { mode: 0o600 });
  return { TAP_PUBLIC_KEY: publicKey, TAP_PRIVATE_KEY_FILE: file };
}
