// The embedded local stack behind `npm start` and `npm run demo`: Azurite, the Graph emulator with its demo tenant
// (or a real Graph and Entra given in the environment) and the dev harness serving the app on :7071.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DEMO_BREAK_GLASS_UPN,
  DEMO_PEOPLE,
  DEMO_PROTECTED_GROUP_ID,
  ensureCa,
  startEmulator,
  type RunningEmulator,
} from '../graph-emulator/index.js';
import { startAppHarness } from '../harness/app-harness.js';
import { repoRoot, type RunningHarness } from '../harness/harness.js';
import type { HarnessLog } from '../harness/log.js';
import { startAzurite, type RunningAzurite } from './azurite.js';
import { newSealKey } from './seal-key.js';
import { newTapKeySettings } from './tap-key.js';

export interface LocalStackOptions {
  /** API port (default PORT or 7071; 0 = random). */
  readonly port?: number;
  /** Emulator port (default EMULATOR_PORT or 8443; 0 = random). */
  readonly emulatorPort?: number;
  /** Azurite data folder (default .local/azurite); null = in memory. */
  readonly azuriteLocation?: string | null;
  readonly log?: HarnessLog;
  /** Extra settings (win over the environment). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Always start the emulator, whatever the environment says (the demo). */
  readonly forceEmulator?: boolean;
}

export interface LocalStack {
  readonly url: string;
  readonly emulator: RunningEmulator | undefined;
  readonly azurite: RunningAzurite;
  readonly harness: RunningHarness;
  /** The app settings the stack runs with. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  stop(): Promise<void>;
}

/** True when the environment names a real Graph and Entra tenant: then no emulator is started. */
export function usesExternalGraph(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.GRAPH_BASE_URL && env.AUTH_TENANT_ID && env.AUTH_AUDIENCE);
}

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start-up. With the emulator, re-run this same script with it pointing at the
 * emulator's CA (appended to any bundle already configured) so the Graph client and @azure/identity trust the
 * emulator. Returns true in the parent, which should then do nothing else: the child's exit code becomes its own.
 */
export async function reexecWithEmulatorCa(forceEmulator = false): Promise<boolean> {
  if (process.env.MFA_RESET_STACK_CHILD || (!forceEmulator && usesExternalGraph())) return false;
  const { caPath } = await ensureCa();
  const current = process.env.NODE_EXTRA_CA_CERTS;
  if (current === caPath) return false;
  let trust = caPath;
  if (current) {
    // Keep what the environment already trusts (a corporate proxy's CA, say) and add the emulator's.
    trust = path.join(path.dirname(caPath), 'bundle-with-emulator-ca.pem');
    const existing = await readFile(current, 'utf8').catch(() => '');
    await writeFile(trust, `${existing.trimEnd()}\n${await readFile(caPath, 'utf8')}`);
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: trust, MFA_RESET_STACK_CHILD: '1' },
  });
  // Ctrl-C reaches the whole process group; the child stops itself. Forward SIGTERM, which does not.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const location =
    options.azuriteLocation === null
      ? undefined
      : (options.azuriteLocation ?? path.join(repoRoot, '.local', 'azurite'));
  const azurite = await startAzurite({ location });
  let emulator: RunningEmulator | undefined;
  try {
    const settings: Record<string, string | undefined> = { ...process.env };
    // `UseDevelopmentStorage=true` (the sample's value) names the local storage emulator: here, this stack's Azurite,
    // which listens on free ports rather than the fixed ones that shorthand stands for.
    for (const key of ['AzureWebJobsStorage', 'MfaData', 'MfaAudit']) {
      if (settings[key]?.trim() === 'UseDevelopmentStorage=true') settings[key] = azurite.connectionString;
    }
    settings.AzureWebJobsStorage ||= azurite.connectionString;
    settings.ITEM_SEAL_KEY ||= newSealKey();
    // Azurite's blob service plays the audit account (it does not enforce immutability: the chain is what is checked).
    settings.MfaAudit ||= azurite.connectionString;
    // Temporary Access Passes: a key pair for this stack unless one is configured (TAP_KEY_ID names Key Vault's).
    if (!settings.TAP_PUBLIC_KEY && !settings.TAP_KEY_ID && !settings.TAP_PRIVATE_KEY_FILE) {
      Object.assign(settings, newTapKeySettings());
    }
    if (options.forceEmulator || !usesExternalGraph()) {
      // People's device code sign-ins are approved at once as the demo admin (no browser in the emulator).
      emulator = await startEmulator({
        port: options.emulatorPort ?? Number(process.env.EMULATOR_PORT ?? 8443),
        deviceFlow: { autoApproveAs: DEMO_PEOPLE.admin },
      });
      const e = emulator.env;
      Object.assign(settings, {
        GRAPH_BASE_URL: e.GRAPH_BASE_URL,
        GRAPH_ALLOW_ANY_HOST: 'true', // the emulator is not a Graph host: development only
        AUTH_TENANT_ID: e.AUTH_TENANT_ID,
        AUTH_AUDIENCE: e.AUTH_AUDIENCE,
        AUTH_ISSUER: e.AUTH_ISSUER,
        AUTH_JWKS_URI: e.AUTH_JWKS_URI,
        PROTECTED_USERS: process.env.PROTECTED_USERS ?? DEMO_BREAK_GLASS_UPN,
        PROTECTED_GROUP_IDS: process.env.PROTECTED_GROUP_IDS ?? DEMO_PROTECTED_GROUP_ID,
      });
      // The worker's managed identity is the emulator's App Service endpoint (@azure/identity reads process.env).
      process.env.IDENTITY_ENDPOINT = e.IDENTITY_ENDPOINT;
      process.env.IDENTITY_HEADER = e.IDENTITY_HEADER;
      settings.IDENTITY_ENDPOINT = e.IDENTITY_ENDPOINT;
      settings.IDENTITY_HEADER = e.IDENTITY_HEADER;
    }
    Object.assign(settings, options.settings);
    const { harness } = await startAppHarness({
      app: { compose: { env: settings } },
      port: options.port ?? Number(process.env.PORT ?? 7071),
      settings,
      log: options.log,
    });
    return {
      url: harness.url,
      emulator,
      azurite,
      harness,
      settings,
      stop: async () => {
        await harness.stop();
        await emulator?.stop();
        await azurite.stop();
      },
    };
  } catch (error) {
    await emulator?.stop();
    await azurite.stop();
    throw error;
  }
}
