/** The Graph emulator's public API (contracts §1): start/stop, the demo fixture, the CA. */
import type { AddressInfo } from 'node:net';
import { createLeafCertificate, defaultCaDir, ensureCaMaterial } from './ca.js';
import type { DeviceFlowSettings } from './device-flow.js';
import { EmulatorCore } from './emulator-core.js';
import { demoTenant } from './fixtures/demo-tenant.js';
import { createEmulatorServer } from './server.js';
import { validateTenant } from './state/fixture-schema.js';
import type { EmulatorEnv, TenantFixture } from './types.js';

export interface StartEmulatorOptions {
  /** 0 or undefined = random free port. */
  port?: number;
  /** Default '127.0.0.1'; the URL uses 'localhost' so TLS names and customHosts match. */
  host?: string;
  /** Default: demoTenant(). */
  fixture?: TenantFixture;
  /** Default: process.env.EMULATOR_CA_DIR ?? '<repo>/.local/emulator-ca'. */
  caDir?: string;
  /**
   * The device code flow: `autoApproveAs` (a user's id or UPN) signs every new code in as that person at once (tests,
   * the demo admin); the poll interval and code lifetime default to Entra ID's 5 s and 15 min.
   */
  deviceFlow?: Partial<DeviceFlowSettings>;
}

export interface RunningEmulator {
  /** e.g. 'https://localhost:43123' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Exactly the JSON of GET /_emulator/env. */
  readonly env: EmulatorEnv;
  stop(): Promise<void>;
}

/** Creates the CA once (in caDir) and reuses it afterwards; point NODE_EXTRA_CA_CERTS at caPath. */
export async function ensureCa(caDir?: string): Promise<{ caPath: string }> {
  const ca = await ensureCaMaterial(caDir ?? defaultCaDir());
  return { caPath: ca.caPath };
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const fixture = options.fixture ?? demoTenant();
  const valid = validateTenant(fixture);
  if (!valid.ok) throw new Error(`Invalid emulator fixture:\n- ${valid.problems.join('\n- ')}`);
  const ca = await ensureCaMaterial(options.caDir ?? defaultCaDir());
  const emulatorServer = createEmulatorServer(createLeafCertificate(ca));
  const server = emulatorServer.server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}`;
  const core = new EmulatorCore(fixture, url, ca.caPath, options.deviceFlow);
  emulatorServer.attach(core);
  let stopped = false;
  return {
    url,
    port,
    // A getter: PUT /_emulator/tenant can change the tenant (and so the env).
    get env() {
      return core.env();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export { demoTenant };
export {
  DEMO_API_APP_ID,
  DEMO_APPS,
  DEMO_BREAK_GLASS_UPN,
  DEMO_DOMAIN,
  DEMO_GROUPS,
  DEMO_MANAGED_IDENTITY_APP_ID,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_TENANT_ID,
  DEMO_USERS,
  ROLE,
  WORKER_GRAPH_PERMISSIONS,
} from './fixtures/demo-tenant.js';
export type { DemoTenantOptions } from './fixtures/demo-tenant.js';
export { DEMO_HELPDESK_GROUP_ID, DEMO_PEOPLE, DEMO_UNCONSENTED_CLIENT_ID } from './fixtures/demo-people.js';
export {
  DEMO_ADMINISTRATIVE_UNIT_ID,
  DEMO_APP_SCOPE_ID,
  DEMO_CUSTOM_ROLE_ID,
  DEMO_ORDINARY_MANY_GROUPS,
  DEMO_PRIVILEGE_GROUPS,
  DEMO_PRIVILEGED_USERS,
} from './fixtures/demo-privilege.js';
export { GRAPH_PERMISSIONS } from './state/permissions.js';
export { PASSWORD_METHOD_ID, PHONE_IDS, EMAIL_METHOD_ID } from './state/method-types.js';
export type { FaultConfig } from './faults.js';
export type { DeviceFlowSettings } from './device-flow.js';
export type { ThrottleConfig } from './throttle.js';
export type { LoggedRequest } from './request-log.js';
export type {
  EmulatorEnv,
  FixtureApp,
  FixtureAdministrativeUnit,
  FixtureGroup,
  FixtureGroupAccess,
  FixtureMethod,
  FixturePublicClient,
  FixtureRoleDefinition,
  FixtureRoleGrant,
  FixtureUser,
  PreferredMethod,
  TenantFixture,
} from './types.js';
export { GRAPH_APP_ID, GRAPH_AUDIENCE } from './types.js';
