/**
 * The emulator's TLS material: a CA created once per CA directory and reused (NODE_EXTRA_CA_CERTS is read only when a
 * process starts, so the CA must outlive emulator restarts), and a leaf certificate for localhost made at each start.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';

const CA_CERT = 'ca.pem';
const CA_KEY = 'ca-key.pem';

export interface CaMaterial {
  caPath: string;
  caCertPem: string;
  caKeyPem: string;
}

/** `<repo>/.local/emulator-ca`, found from this file's location in the source or the dist tree. */
export function defaultCaDir(): string {
  if (process.env.EMULATOR_CA_DIR) return resolve(process.env.EMULATOR_CA_DIR);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, '.local', 'emulator-ca');
    dir = dirname(dir);
  }
  return resolve('.local', 'emulator-ca');
}

async function readCa(caDir: string): Promise<CaMaterial | undefined> {
  try {
    const [caCertPem, caKeyPem] = await Promise.all([
      readFile(join(caDir, CA_CERT), 'utf8'),
      readFile(join(caDir, CA_KEY), 'utf8'),
    ]);
    return { caPath: join(caDir, CA_CERT), caCertPem, caKeyPem };
  } catch {
    return undefined;
  }
}

function serial(): string {
  // Positive serial: clear the high bit of the first byte.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  // Node's native key generation is much faster than node-forge's JavaScript one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem);
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function createCa(): { caCertPem: string; caKeyPem: string } {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: 'mfa-reset Graph emulator local CA' },
    { name: 'organizationName', value: 'mfa-reset (development only)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { caCertPem: forge.pki.certificateToPem(cert), caKeyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/**
 * Returns the CA in caDir, creating it when absent. Safe when several processes race: each writes into its own
 * temporary directory and renames it into place; the loser discards its copy and reads the winner's.
 */
export async function ensureCaMaterial(caDir: string = defaultCaDir()): Promise<CaMaterial> {
  const dir = resolve(caDir);
  const existing = await readCa(dir);
  if (existing) return existing;
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const { caCertPem, caKeyPem } = createCa();
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, CA_KEY), caKeyPem, { mode: 0o600 });
  await writeFile(join(tmp, CA_CERT), caCertPem);
  try {
    await rename(tmp, dir);
  } catch {
    // Lost the race, or an empty directory is in the way.
    const winner = await readCa(dir);
    if (winner) {
      await rm(tmp, { recursive: true, force: true });
      return winner;
    }
    await rmdir(dir).catch(() => undefined);
    await rename(tmp, dir);
  }
  const created = await readCa(dir);
  if (!created) throw new Error(`emulator CA could not be written to ${dir}`);
  return created;
}

/** A fresh server certificate for localhost, 127.0.0.1 and ::1, signed by the CA. */
export function createLeafCertificate(ca: CaMaterial): { keyPem: string; certPem: string } {
  const caCert = forge.pki.certificateFromPem(ca.caCertPem);
  const caKey = forge.pki.privateKeyFromPem(ca.caKeyPem);
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 90 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: forge.pki.privateKeyToPem(keys.privateKey), certPem: forge.pki.certificateToPem(cert) };
}
