// Lets a caller use the API: assigns app roles of the service's API app (Resets.Submit, Resets.SubmitBulk,
// Resets.Read) to the caller's service principal — a Logic App's managed identity or a ServiceNow app registration.
// Idempotent; --dry-run writes nothing.
// Usage: node dist/scripts/assign-caller-role.js --api <API app id> --caller <object id | appId> --role Resets.Submit ...
import { apiRoles, isRole, Roles } from '../src/lib/domain/index.js';
import {
  applyGrants,
  planGrants,
  resolveServicePrincipal,
  resolveServicePrincipalByAppId,
} from './lib/app-role-grants.js';
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

const USAGE = `Usage: node dist/scripts/assign-caller-role.js --api <API app id> --caller <id> --role <role> [--role <role>] [options]
  --api ID       application (client) id of the service's API app (AUTH_AUDIENCE; azd env get-value AUTH_AUDIENCE)
  --caller ID    the caller's service principal: a Logic App's managed identity (its principal/object id) or an
                 app registration such as a ServiceNow client (its application/client id)
  --role NAME    one of ${apiRoles.join(', ')}; repeat for several
                 (${Roles.submitBulk} lets a caller submit more than one user or a CSV; give it only to bulk callers)
${COMMON_HELP}`;

export async function assignCallerRole(argv: readonly string[], env: Env, io: ScriptIo): Promise<number> {
  return runScript(io, USAGE, async () => {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        ...commonOptions,
        api: { type: 'string' },
        caller: { type: 'string' },
        role: { type: 'string', multiple: true },
      },
      allowPositionals: true,
    });
    if (values.help) {
      io.out(USAGE);
      return;
    }
    const problems: string[] = [];
    if (!values.api) problems.push('--api is required');
    if (!values.caller) problems.push('--caller is required');
    const roles = values.role ?? [];
    if (roles.length === 0) problems.push('at least one --role is required');
    for (const role of roles) {
      if (!isRole(role)) problems.push(`unknown role '${role}' (use ${apiRoles.join(', ')})`);
    }
    if (positionals.length > 0) problems.push(`unexpected argument '${positionals[0]}'`);
    if (problems.length > 0 || !values.api || !values.caller) throw new UsageError(problems.join('; '));
    const settings = commonSettings(values, env);
    const client = createGraphAdminClient(settings.graphBaseUrl, settings.credential);

    const api = await resolveServicePrincipalByAppId(client, values.api.replace(/^api:\/\//i, ''), 'API app (--api)');
    const caller = await resolveServicePrincipal(client, values.caller, 'caller');
    const plan = await planGrants(client, caller, api, [...new Set(roles)]);

    io.out(`caller: ${caller.displayName ?? ''} (object id ${caller.id}, appId ${caller.appId})`);
    io.out(`API: ${api.displayName ?? ''} (object id ${api.id}, appId ${api.appId})`);
    for (const role of plan.present) io.out(`already assigned: ${role.value}`);
    for (const role of plan.extra) io.out(`note: the caller also holds ${role.value}`);
    if (settings.dryRun) {
      for (const role of plan.missing) io.out(`would assign: ${role.value}`);
      io.out(`dry run: ${plan.missing.length} to assign, ${plan.present.length} already assigned; nothing written`);
      return;
    }
    const result = await applyGrants(client, plan);
    for (const role of result.granted) io.out(`assigned: ${role.value}`);
    for (const role of result.raced) io.out(`already assigned: ${role.value}`);
    io.out(`done: ${result.granted.length} assigned, ${plan.present.length + result.raced.length} already assigned`);
  });
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await assignCallerRole(process.argv.slice(2), process.env, consoleIo);
}
