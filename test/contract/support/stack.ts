// The service as it runs in Azure, in this test process: Azurite, the Graph emulator (Entra tokens, managed identity,
// Graph) and the local host harness serving the real composition root. Like the production split, the intake and the
// worker are separate apps on the same storage, so a test can keep requests pending (intake alone) and then let the
// worker finish them.
import { startAppHarness } from '../../../dev/harness/app-harness.js';
import { approvalAndCooldownOff } from '../../../dev/harness/suite-settings.js';
import type { RunningHarness } from '../../../dev/harness/harness.js';
import { startTestAzurite, type RunningAzurite } from '../../support/azurite.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { newSealKey } from '../../../dev/stack/seal-key.js';
import { newTapKeySettings } from '../../../dev/stack/tap-key.js';

type Env = Record<string, string | undefined>;

export interface ContractStack {
  readonly emulator: TestEmulator;
  readonly azurite: RunningAzurite;
  /** The intake app's base URL, e.g. http://127.0.0.1:43123 */
  readonly baseUrl: string;
  readonly env: Readonly<Env>;
  /** Starts the worker app (queue functions) on the same storage; idempotent. */
  startWorker(): Promise<void>;
  /**
   * Starts another intake app with some settings changed (e.g. an unreachable AUTH_JWKS_URI) and, optionally, its
   * store's clock moved (`now`: e.g. past an approval window); returns its URL.
   */
  startIntake(overrides: Env, options?: { readonly now?: () => Date }): Promise<string>;
  stop(): Promise<void>;
}

export async function startContractStack(settings: Env): Promise<ContractStack> {
  const azurite = await startTestAzurite({ blob: true });
  const emulator = await startTestEmulator();
  const harnesses: RunningHarness[] = [];
  try {
    const e = emulator.env;
    const env: Env = {
      ...process.env,
      AzureWebJobsStorage: azurite.connectionString,
      ITEM_SEAL_KEY: newSealKey(),
      MfaAudit: azurite.connectionString, // Azurite's blob service plays the audit account
      ...newTapKeySettings(),
      GRAPH_BASE_URL: e.GRAPH_BASE_URL,
      GRAPH_ALLOW_ANY_HOST: 'true', // the emulator is not a Graph host: development only
      IDENTITY_ENDPOINT: e.IDENTITY_ENDPOINT,
      IDENTITY_HEADER: e.IDENTITY_HEADER,
      AUTH_TENANT_ID: e.AUTH_TENANT_ID,
      AUTH_AUDIENCE: e.AUTH_AUDIENCE,
      AUTH_ISSUER: e.AUTH_ISSUER,
      AUTH_JWKS_URI: e.AUTH_JWKS_URI,
      APPLICATIONINSIGHTS_CONNECTION_STRING: undefined,
      ...approvalAndCooldownOff,
      ...settings,
    };
    // @azure/identity reads the managed-identity endpoint from process.env.
    process.env.IDENTITY_ENDPOINT = e.IDENTITY_ENDPOINT;
    process.env.IDENTITY_HEADER = e.IDENTITY_HEADER;

    const start = async (mode: 'intake' | 'worker', overrides: Env = {}, now?: () => Date): Promise<RunningHarness> => {
      const appEnv = { ...env, ...overrides, MFA_RESET_FUNCTIONS: mode };
      const { harness } = await startAppHarness({
        port: 0,
        settings: appEnv,
        ...(now ? { app: { compose: { now } } } : {}),
      });
      harnesses.push(harness);
      return harness;
    };

    const intake = await start('intake');
    let worker: Promise<RunningHarness> | undefined;
    return {
      emulator,
      azurite,
      baseUrl: intake.url,
      env,
      async startWorker() {
        worker ??= start('worker');
        await worker;
      },
      async startIntake(overrides, options) {
        return (await start('intake', overrides, options?.now)).url;
      },
      async stop() {
        await Promise.allSettled(harnesses.map((h) => h.stop()));
        await Promise.allSettled([emulator.stop(), azurite.stop()]);
      },
    };
  } catch (error) {
    await Promise.allSettled(harnesses.map((h) => h.stop()));
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
    throw error;
  }
}
