// The azd postprovision hook (azure.yaml): what a deployment cannot do as resource properties.
//  1. The item-seal key, and the callback signing key when the deployment names one: each created once in Key Vault
//     when missing (32 random bytes), never replaced.
//  2. The Temporary Access Pass key's public half (the template creates the key; Bicep cannot read key material): read
//     from Key Vault, set on the worker app (TAP_PUBLIC_KEY) and recorded in the azd environment so the next
//     `azd provision` passes it to the template (parameter tapPublicKey) instead of leaving the setting out.
//  3. The audit container's retention policy: locked when AUDIT_IMMUTABILITY_LOCKED is true, and then recorded in the
//     azd environment (AUDIT_POLICY_LOCKED=true) so the next `azd provision` leaves the locked policy alone.
//  4. The Entra side (npm run setup-entra, scripts/lib/entra-hook.ts): the API registration, the worker's Graph
//     permissions; without the directory rights, the exact command for an administrator is printed instead.
// It reads the deployment's outputs from the environment azd gives hooks. Idempotent; --dry-run writes nothing.
// Usage: node dist/scripts/postprovision.js [--dry-run]
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lockAuditPolicy } from './lib/audit-lock.js';
import { entraAfterProvision } from './lib/entra-hook.js';
import { ensureSealKey } from './lib/seal-key.js';
import { ensureAppSetting, readTapPublicKey } from './lib/tap-public-key.js';
import { consoleIo, isEntryPoint, parseArgs, runScript, UsageError } from './lib/script-cli.js';
import type { Env, ScriptIo } from './lib/script-cli.js';

const USAGE = `Usage: node dist/scripts/postprovision.js [--dry-run]
Run by azd after provisioning (azure.yaml hooks.postprovision). Reads from the environment (the deployment's outputs):
  KEY_VAULT_URI, ITEM_SEAL_KEY_SECRET_NAME        create the item-seal key when it is missing
  CALLBACK_SIGNING_KEY_SECRET_NAME                create the callback signing key when it is missing (optional)
  TAP_KEY_NAME, WORKER_FUNCTION_APP_NAME, AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, RESOURCE_MANAGER_URL
                                                  give the worker the TAP key's public half (TAP_PUBLIC_KEY)
  AUDIT_IMMUTABILITY_LOCKED, AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AUDIT_STORAGE_ACCOUNT, AUDIT_CONTAINER,
  RESOURCE_MANAGER_URL                            lock the audit container's retention policy
Sign-in: DefaultAzureCredential (your \`azd auth login\` or \`az login\`). Needs Key Vault Secrets Officer on the vault
(the template grants it to the deployer), Get Key on the TAP key (the template's "TAP key reader" role, idem),
Microsoft.Web/sites/config/list/action and …/config/write on the worker app (Contributor), and, to lock, Microsoft.Storage/storageAccounts/blobServices/containers/
immutabilityPolicies/lock/action (Owner, Contributor or Storage Account Contributor on the account).
Then the Entra step (npm run setup-entra: AUTH_AUDIENCE, WORKER_PRINCIPAL_ID, INTAKE_PRINCIPAL_ID): needs Privileged
Role Administrator; without it, the exact command for a directory administrator is printed.
  --dry-run   print what would change; write nothing`;

export interface PostprovisionDeps {
  readonly credential: TokenCredential;
  /** Records a value in the azd environment (`azd env set NAME VALUE`). */
  readonly setAzdValue: (name: string, value: string) => Promise<void>;
  readonly forbiddenRetryMs: number;
  /** The Entra step (npm run setup-entra with the deployment's identities); absent: skipped. */
  readonly entra?: { readonly replicationDelaysMs: readonly number[] };
}

const defaultDeps = (): PostprovisionDeps => ({
  credential: new DefaultAzureCredential(),
  setAzdValue: async (name, value) => {
    await promisify(execFile)('azd', ['env', 'set', name, value]);
  },
  forbiddenRetryMs: 10 * 60_000,
  entra: { replicationDelaysMs: [2_000, 4_000, 8_000, 16_000] },
});

function required(env: Env, names: readonly string[]): Record<string, string> {
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.join(', ')}: run through azd (azd provision), or export the outputs first`);
  }
  return Object.fromEntries(names.map((n) => [n, env[n] ?? '']));
}

function httpsUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1') throw new UsageError(`${name} must be an https URL`);
  return url;
}

export async function postprovision(
  argv: readonly string[],
  env: Env,
  io: ScriptIo,
  deps: PostprovisionDeps = defaultDeps(),
): Promise<number> {
  return runScript(io, USAGE, async () => {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(USAGE);
      return;
    }
    const dryRun = values['dry-run'] === true;
    const vault = required(env, ['KEY_VAULT_URI', 'ITEM_SEAL_KEY_SECRET_NAME']);
    const seal = await ensureSealKey(deps.credential, {
      vaultUri: httpsUrl('KEY_VAULT_URI', vault.KEY_VAULT_URI ?? ''),
      secretName: vault.ITEM_SEAL_KEY_SECRET_NAME ?? '',
      dryRun,
      forbiddenRetryMs: deps.forbiddenRetryMs,
      log: io.out,
    });
    const secret = vault.ITEM_SEAL_KEY_SECRET_NAME;
    io.out(
      seal === 'exists'
        ? `seal key: ${secret} exists; left as is`
        : seal === 'created'
          ? `seal key: ${secret} created (32 random bytes); apps that started before it resolve it at their next restart (azd deploy restarts them)`
          : `seal key: would create ${secret}`,
    );
    const callbackSecret = env.CALLBACK_SIGNING_KEY_SECRET_NAME;
    if (callbackSecret) {
      // The worker signs completion callbacks with it (CALLBACK_SIGNING_KEY); receivers get a copy to verify.
      const signing = await ensureSealKey(deps.credential, {
        vaultUri: httpsUrl('KEY_VAULT_URI', vault.KEY_VAULT_URI ?? ''),
        secretName: callbackSecret,
        dryRun,
        forbiddenRetryMs: deps.forbiddenRetryMs,
        log: io.out,
      });
      io.out(
        signing === 'exists'
          ? `callback signing key: ${callbackSecret} exists; left as is`
          : signing === 'created'
            ? `callback signing key: ${callbackSecret} created (32 random bytes)`
            : `callback signing key: would create ${callbackSecret}`,
      );
    }

    if (env.TAP_KEY_NAME) await giveWorkerTapPublicKey(env, io, deps, dryRun);

    // The API registration, the worker's Graph permissions: done here when the deployer has the directory rights,
    // otherwise the exact command for a directory administrator is printed (scripts/lib/entra-hook.ts).
    if (deps.entra) await entraAfterProvision(env, io, { ...deps.entra, ...deps }, dryRun);

    if (env.AUDIT_IMMUTABILITY_LOCKED?.toLowerCase() !== 'true') {
      io.out('audit retention policy: left unlocked (auditImmutabilityLocked=false: a test environment)');
      return;
    }
    const audit = required(env, [
      'AZURE_SUBSCRIPTION_ID',
      'AZURE_RESOURCE_GROUP',
      'AUDIT_STORAGE_ACCOUNT',
      'AUDIT_CONTAINER',
      'RESOURCE_MANAGER_URL',
    ]);
    const lock = await lockAuditPolicy(deps.credential, {
      resourceManager: httpsUrl('RESOURCE_MANAGER_URL', audit.RESOURCE_MANAGER_URL ?? ''),
      subscriptionId: audit.AZURE_SUBSCRIPTION_ID ?? '',
      resourceGroup: audit.AZURE_RESOURCE_GROUP ?? '',
      accountName: audit.AUDIT_STORAGE_ACCOUNT ?? '',
      containerName: audit.AUDIT_CONTAINER ?? '',
      dryRun,
    });
    const where = `${audit.AUDIT_STORAGE_ACCOUNT}/${audit.AUDIT_CONTAINER}`;
    if (lock === 'would-lock') {
      io.out(`audit retention policy: would lock ${where} (irreversible)`);
      return;
    }
    io.out(
      lock === 'locked'
        ? `audit retention policy: ${where} locked (it can now only be extended)`
        : `audit retention policy: ${where} already locked`,
    );
    if (env.AUDIT_POLICY_LOCKED?.toLowerCase() !== 'true') {
      try {
        await deps.setAzdValue('AUDIT_POLICY_LOCKED', 'true');
        io.out('azd environment: AUDIT_POLICY_LOCKED=true (the next provision leaves the locked policy alone)');
      } catch {
        io.err('warning: could not run `azd env set AUDIT_POLICY_LOCKED true`: run it before the next azd provision');
      }
    }
  });
}

/** Step 2: the TAP key's public half onto the worker now, and into the azd environment for the next provision. */
async function giveWorkerTapPublicKey(env: Env, io: ScriptIo, deps: PostprovisionDeps, dryRun: boolean): Promise<void> {
  const names = required(env, [
    'KEY_VAULT_URI',
    'TAP_KEY_NAME',
    'WORKER_FUNCTION_APP_NAME',
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_RESOURCE_GROUP',
    'RESOURCE_MANAGER_URL',
  ]);
  const keyName = names.TAP_KEY_NAME ?? '';
  const value = await readTapPublicKey(deps.credential, {
    vaultUri: httpsUrl('KEY_VAULT_URI', names.KEY_VAULT_URI ?? ''),
    keyName,
    forbiddenRetryMs: deps.forbiddenRetryMs,
    log: io.out,
  });
  const app = names.WORKER_FUNCTION_APP_NAME ?? '';
  const outcome = await ensureAppSetting(deps.credential, {
    resourceManager: httpsUrl('RESOURCE_MANAGER_URL', names.RESOURCE_MANAGER_URL ?? ''),
    subscriptionId: names.AZURE_SUBSCRIPTION_ID ?? '',
    resourceGroup: names.AZURE_RESOURCE_GROUP ?? '',
    appName: app,
    name: 'TAP_PUBLIC_KEY',
    value,
    dryRun,
  });
  io.out(
    outcome === 'unchanged'
      ? `TAP public key: ${app} already has the public half of ${keyName}`
      : outcome === 'set'
        ? `TAP public key: set on ${app} (the public half of ${keyName}; the app restarts)`
        : `TAP public key: would set the public half of ${keyName} on ${app}`,
  );
  if (dryRun || env.TAP_PUBLIC_KEY === value) return;
  try {
    await deps.setAzdValue('TAP_PUBLIC_KEY', value);
    io.out('azd environment: TAP_PUBLIC_KEY recorded (the next provision keeps it on the worker)');
  } catch {
    io.err(
      'warning: could not run `azd env set TAP_PUBLIC_KEY …`: the next azd provision would drop it from the worker',
    );
  }
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await postprovision(process.argv.slice(2), process.env, consoleIo);
}
