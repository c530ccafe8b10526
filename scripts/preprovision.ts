// The azd preprovision hook (azure.yaml): the template needs the API registration's appId (AUTH_AUDIENCE), so when
// it is not set yet this creates or finds the registration (npm run setup-entra, registration only) and records it
// in the azd environment. Idempotent; --dry-run writes nothing.
// Usage: node dist/scripts/preprovision.js [--dry-run]
import { DefaultAzureCredential } from '@azure/identity';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { entraBeforeProvision } from './lib/entra-hook.js';
import type { EntraHookDeps } from './lib/entra-hook.js';
import { consoleIo, isEntryPoint, parseArgs, runScript } from './lib/script-cli.js';
import type { Env, ScriptIo } from './lib/script-cli.js';

const USAGE = `Usage: node dist/scripts/preprovision.js [--dry-run]
Run by azd before provisioning (azure.yaml hooks.preprovision). When AUTH_AUDIENCE is not set, creates or finds the
API app registration (uniqueName mfa-reset-api-<AZURE_ENV_NAME>) and sets AUTH_AUDIENCE in the azd environment.
Reads AZURE_ENV_NAME, AUTH_AUDIENCE and GRAPH_BASE_URL (optional). Sign-in: DefaultAzureCredential (azd auth login).
  --dry-run   print what would change; write nothing`;

export async function preprovision(
  argv: readonly string[],
  env: Env,
  io: ScriptIo,
  deps: EntraHookDeps = {
    credential: new DefaultAzureCredential(),
    setAzdValue: async (name, value) => {
      await promisify(execFile)('azd', ['env', 'set', name, value]);
    },
    replicationDelaysMs: [2_000, 4_000, 8_000, 16_000],
  },
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
    await entraBeforeProvision(env, io, deps, values['dry-run'] === true);
  });
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await preprovision(process.argv.slice(2), process.env, consoleIo);
}
