// Gives the worker's managed identity the Microsoft Graph application permissions the reset engine needs, and no
// more, as app role assignments on Graph's service principal. Idempotent; --dry-run writes nothing.
// Usage: node dist/scripts/grant-graph-permissions.js <worker principal id | client id> [--dry-run] [...]
import {
  applyGrants,
  GrantError,
  planGrants,
  resolveServicePrincipal,
  resolveServicePrincipalByAppId,
} from './lib/app-role-grants.js';
import { workerGraphPermissions } from '../src/lib/graph/graph-permissions.js';
import { createGraphAdminClient } from './lib/graph-admin-client.js';
import {
  COMMON_HELP,
  commonOptions,
  commonSettings,
  consoleIo,
  isEntryPoint,
  parseArgs,
  runScript,
  UsageError,
} from './lib/script-cli.js';
import type { Env, ScriptIo } from './lib/script-cli.js';

/** Microsoft Graph's application id: the same in every tenant. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/**
 * The least Graph application permissions the engine needs (src/lib/graph/graph-permissions.ts): list and delete
 * authentication methods and read/patch signInPreferences; read the user, its memberships and owned groups; read
 * groups (role-assignable or not, nested groups); read directory role assignments and PIM eligibility; read PIM for
 * Groups eligibility; revoke sign-in sessions.
 */
export const WORKER_GRAPH_PERMISSIONS = workerGraphPermissions;

const USAGE = `Usage: node dist/scripts/grant-graph-permissions.js <worker> [--intake <intake>] [options]
  <worker>   the worker's managed identity: its principal (object) id or its client id
             (azd env get-value WORKER_PRINCIPAL_ID)
  --intake   also check that the intake's identity holds no Graph permission (azd env get-value INTAKE_PRINCIPAL_ID);
             exit code 1 if it holds any
Grants ${WORKER_GRAPH_PERMISSIONS.join(', ')}.
${COMMON_HELP}`;

export async function grantGraphPermissions(argv: readonly string[], env: Env, io: ScriptIo): Promise<number> {
  return runScript(io, USAGE, async () => {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...commonOptions, intake: { type: 'string' } },
      allowPositionals: true,
    });
    if (values.help) {
      io.out(USAGE);
      return;
    }
    if (positionals.length !== 1) throw new UsageError('give exactly one worker principal (object id or client id)');
    const settings = commonSettings(values, env);
    const client = createGraphAdminClient(settings.graphBaseUrl, settings.credential);

    const worker = await resolveServicePrincipal(client, positionals[0], 'worker principal');
    const graph = await resolveServicePrincipalByAppId(client, GRAPH_APP_ID, 'Microsoft Graph');
    const plan = await planGrants(client, worker, graph, WORKER_GRAPH_PERMISSIONS);

    /** Only the worker may hold Graph permissions (security requirement 37): the intake must hold none. */
    const checkIntake = async (key: string): Promise<void> => {
      const intake = await resolveServicePrincipal(client, key, 'intake principal');
      const held = (await planGrants(client, intake, graph, [])).extra;
      if (held.length === 0) {
        io.out(`intake: ${intake.displayName ?? intake.id} holds no Graph permission`);
        return;
      }
      throw new GrantError(
        `the intake's identity ${intake.displayName ?? ''} (${intake.id}) holds Graph permissions it must not have: ` +
          `${held.map((r) => r.value).join(', ')}. Remove them (Enterprise applications → the identity → Permissions).`,
      );
    };

    io.out(`worker: ${worker.displayName ?? ''} (object id ${worker.id}, appId ${worker.appId})`);
    io.out(
      `resource: ${graph.displayName ?? 'Microsoft Graph'} (object id ${graph.id}) at ${settings.graphBaseUrl.origin}`,
    );
    for (const role of plan.present) io.out(`already granted: ${role.value}`);
    for (const role of plan.extra) {
      io.out(
        `warning: the worker also holds ${role.value}, which the service does not need: remove it (least privilege)`,
      );
    }
    if (settings.dryRun) {
      for (const role of plan.missing) io.out(`would grant: ${role.value}`);
      io.out(`dry run: ${plan.missing.length} to grant, ${plan.present.length} already granted; nothing written`);
      if (values.intake !== undefined) await checkIntake(values.intake);
      return;
    }
    const result = await applyGrants(client, plan);
    for (const role of result.granted) io.out(`granted: ${role.value}`);
    for (const role of result.raced) io.out(`already granted: ${role.value}`);
    io.out(`done: ${result.granted.length} granted, ${plan.present.length + result.raced.length} already granted`);
    if (result.granted.length > 0) {
      io.out(
        'note: tokens issued before now keep their old roles until they expire (managed identity tokens can be cached for up to 24 h)',
      );
    }
    if (values.intake !== undefined) await checkIntake(values.intake);
  });
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await grantGraphPermissions(process.argv.slice(2), process.env, consoleIo);
}
