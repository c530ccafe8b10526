/**
 * vitest globalSetup: make sure the emulator's CA exists and export NODE_EXTRA_CA_CERTS before the forked test
 * processes start (Node reads it only at process start), so TLS to the emulator works without disabling verification.
 */
import { ensureCa } from '../../dev/graph-emulator/index.js';

export default async function setup(): Promise<void> {
  const { caPath } = await ensureCa();
  process.env.NODE_EXTRA_CA_CERTS = caPath;
}
