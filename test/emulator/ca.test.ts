import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCa, startEmulator } from '../../dev/graph-emulator/index.js';

describe('emulator CA', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('is created once and reused, also when several callers race to create it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'emu-ca-'));
    dirs.push(parent);
    const caDir = join(parent, 'ca');
    const results = await Promise.all([ensureCa(caDir), ensureCa(caDir), ensureCa(caDir)]);
    const pems = await Promise.all(results.map((r) => readFile(r.caPath, 'utf8')));
    expect(new Set(pems).size).toBe(1);
    const again = await ensureCa(caDir);
    expect(await readFile(again.caPath, 'utf8')).toBe(pems[0]);
    expect((await readdir(parent)).sort()).toEqual(['ca']); // no temporary directories left behind
    const cert = new X509Certificate(pems[0]);
    expect(cert.ca).toBe(true);
  });

  it('signs a localhost leaf certificate that the CA verifies', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'emu-ca-'));
    dirs.push(parent);
    const caDir = join(parent, 'ca');
    const emulator = await startEmulator({ caDir });
    try {
      const ca = new X509Certificate(await readFile(join(caDir, 'ca.pem'), 'utf8'));
      const leaf = await new Promise<X509Certificate>((resolve, reject) => {
        import('node:tls')
          .then(({ connect }) => {
            const socket = connect(
              { host: '127.0.0.1', port: emulator.port, servername: 'localhost', ca: ca.toString() },
              () => {
                const peer = socket.getPeerX509Certificate();
                socket.end();
                if (peer) resolve(peer);
                else reject(new Error('no peer certificate'));
              },
            );
            socket.on('error', reject);
          })
          .catch(reject);
      });
      expect(leaf.checkHost('localhost')).toBe('localhost');
      expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(leaf.verify(ca.publicKey)).toBe(true);
    } finally {
      await emulator.stop();
    }
  });
});
