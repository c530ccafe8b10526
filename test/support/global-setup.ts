/**
 * vitest globalSetup: make sure the emulator's CA exists and export NODE_EXTRA_CA_CERTS before the forked test
 * processes start (Node reads it only at process start), so TLS to the emulator works without disabling verification;
 * and start the Azurite the run shares (one account per test file), so most files do not start their own.
 */
import { ensureCa } from '../../dev/graph-emulator/index.js';
import { startSharedAzurite } from './shared-azurite.js';

export default async function setup(): Promise<() => Promise<void>> {
  const { caPath } = await ensureCa();
  process.env.NODE_EXTRA_CA_CERTS = caPath;
  return startSharedAzurite();
}
