// The Entra step of `azd up`, around setup-entra (scripts/lib/entra-setup.ts):
//  - before provisioning (preprovision hook), when AUTH_AUDIENCE is not set yet: create or find the API registration
//    and record its appId as AUTH_AUDIENCE, which the template needs;
//  - after provisioning (postprovision hook): everything, with the worker and intake identities from the outputs.
// When Graph refuses (403: the deployer lacks a directory role), it prints the exact command for a directory
// administrator instead of failing the deployment; only the pre step must stop, since provisioning needs the appId.
import type { TokenCredential } from '@azure/identity';
import { GrantError } from './app-role-grants.js';
import { setupEntra } from './entra-setup.js';
import type { EntraSetupOptions } from './entra-setup.js';
import { createGraphAdminClient, DEFAULT_GRAPH_BASE_URL, parseGraphBaseUrl } from './graph-admin-client.js';
import type { Env, ScriptIo } from './script-cli.js';

export interface EntraHookDeps {
  readonly credential: TokenCredential;
  readonly setAzdValue: (name: string, value: string) => Promise<void>;
  readonly replicationDelaysMs: readonly number[];
}

/** One registration per azd environment, so a test and a production deployment in one tenant stay apart. */
export const uniqueNameFor = (env: Env): string =>
  env.AZURE_ENV_NAME ? `mfa-reset-api-${env.AZURE_ENV_NAME}` : 'mfa-reset-api';
const displayNameFor = (env: Env): string =>
  env.AZURE_ENV_NAME ? `mfa-reset API (${env.AZURE_ENV_NAME})` : 'mfa-reset API';

/** The command a directory administrator runs, with this deployment's values (shell-safe: ids and names only). */
export function adminCommand(env: Env, withIdentities: boolean): string {
  const args = env.AUTH_AUDIENCE
    ? [`--api-app-id ${env.AUTH_AUDIENCE}`]
    : [`--unique-name ${uniqueNameFor(env)}`, `--display-name "${displayNameFor(env)}"`];
  if (withIdentities && env.WORKER_PRINCIPAL_ID) args.push(`--worker ${env.WORKER_PRINCIPAL_ID}`);
  if (withIdentities && env.INTAKE_PRINCIPAL_ID) args.push(`--intake ${env.INTAKE_PRINCIPAL_ID}`);
  if (env.GRAPH_BASE_URL) args.push(`--graph-base-url ${env.GRAPH_BASE_URL}`);
  return `npm run setup-entra -- ${args.join(' ')}`;
}

function options(env: Env, dryRun: boolean, deps: EntraHookDeps, withIdentities: boolean): EntraSetupOptions {
  return {
    uniqueName: uniqueNameFor(env),
    displayName: displayNameFor(env),
    apiAppId: env.AUTH_AUDIENCE || undefined,
    worker: withIdentities ? env.WORKER_PRINCIPAL_ID || undefined : undefined,
    intake: withIdentities ? env.INTAKE_PRINCIPAL_ID || undefined : undefined,
    extraClients: [],
    assignments: [],
    dryRun,
    replicationDelaysMs: deps.replicationDelaysMs,
  };
}

const client = (env: Env, deps: EntraHookDeps) =>
  createGraphAdminClient(parseGraphBaseUrl(env.GRAPH_BASE_URL || DEFAULT_GRAPH_BASE_URL), deps.credential);

const prefixed = (io: ScriptIo) => (line: string) => io.out(`entra: ${line}`);

/** postprovision: the whole Entra setup, or the administrator's command when the deployer may not do it. */
export async function entraAfterProvision(env: Env, io: ScriptIo, deps: EntraHookDeps, dryRun: boolean): Promise<void> {
  try {
    const result = await setupEntra(client(env, deps), options(env, dryRun, deps, true), prefixed(io));
    io.out(
      `entra: ${dryRun ? 'dry run' : 'done'}: ${result.changed} ${dryRun ? 'to change' : 'changed'}, ${result.unchanged} unchanged`,
    );
  } catch (error) {
    // Any operator-facing failure (403, sign-in) leaves the rest of the deployment standing, with the hand-off.
    const operator =
      error instanceof GrantError || (error instanceof Error && 'code' in error && error.code === 'GrantError');
    if (!operator) throw error;
    io.out(`entra: not done: ${error.message}`);
    io.out('entra: a directory administrator (Privileged Role Administrator) runs, from a clone of this repository:');
    io.out(`entra:   ${adminCommand(env, true)}`);
    io.out(
      'entra: until then every reset fails with graph_permission_missing; the rest of the deployment is in place.',
    );
  }
}

/** preprovision: the registration's appId as AUTH_AUDIENCE, which provisioning needs. */
export async function entraBeforeProvision(
  env: Env,
  io: ScriptIo,
  deps: EntraHookDeps,
  dryRun: boolean,
): Promise<void> {
  if (env.AUTH_AUDIENCE) {
    io.out(`entra: AUTH_AUDIENCE is ${env.AUTH_AUDIENCE}; the registration is checked after provisioning`);
    return;
  }
  try {
    const result = await setupEntra(client(env, deps), options(env, dryRun, deps, false), prefixed(io));
    if (dryRun || !result.apiAppId) return;
    await deps.setAzdValue('AUTH_AUDIENCE', result.apiAppId);
    io.out(`entra: azd environment: AUTH_AUDIENCE=${result.apiAppId}`);
  } catch (error) {
    if (!(error instanceof GrantError) || !error.forbidden) throw error;
    throw new GrantError(
      `${error.message} Provisioning needs the API registration's appId. Ask a directory administrator ` +
        `(Application Administrator) to run \`${adminCommand(env, false)}\`, then ` +
        '`azd env set AUTH_AUDIENCE <the appId it prints>` and run azd up again.',
    );
  }
}
