// `npm run setup-entra`: the whole Entra side of a deployment in one idempotent command (scripts/lib/entra-setup.ts):
// the API app registration with its fixed role and scope ids, its service principal with assignment required, the
// worker's Graph permissions, a check that the intake holds none, and optional caller role assignments.
// Re-running changes nothing and prints "unchanged"; --dry-run prints the plan and writes nothing.
import { apiRoles, isGuid, isRole } from '../src/lib/domain/index.js';
import { setupEntra } from './lib/entra-setup.js';
import type { CallerAssignment, PrincipalKind } from './lib/entra-setup.js';
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

export const DEFAULT_UNIQUE_NAME = 'mfa-reset-api';
export const DEFAULT_DISPLAY_NAME = 'mfa-reset API';

const USAGE = `Usage: npm run setup-entra -- [options]
  --unique-name NAME       the API registration's uniqueName, how every run finds it (default ${DEFAULT_UNIQUE_NAME})
  --display-name NAME      its display name when created (default "${DEFAULT_DISPLAY_NAME}")
  --api-app-id ID          use this existing registration instead (AUTH_AUDIENCE), e.g. one registered by hand
  --worker ID              the worker's managed identity (WORKER_PRINCIPAL_ID): grant its Graph permissions
  --intake ID              the intake's managed identity (INTAKE_PRINCIPAL_ID): check it holds no Graph permission
  --connector-client-id ID also pre-authorize this client for the delegated scope: the app registration a Power
                           Platform custom connector signs in with (its Security tab's client id); repeatable
  --assign ROLE=KIND:ID    assign an API role to a caller; KIND is app (object id or appId), user (object id or
                           UPN) or group (object id); ROLE one of ${apiRoles.join(', ')}; repeatable
Needs, for the registration: Application Administrator or Cloud Application Administrator (or the default user right
to register apps); for --worker and --assign: Privileged Role Administrator (AppRoleAssignment.ReadWrite.All).
${COMMON_HELP}`;

export function parseAssignment(text: string): CallerAssignment {
  const m = /^([^=]+)=(app|user|group):(.+)$/.exec(text.trim());
  const role = m?.[1];
  if (!m || role === undefined || !isRole(role)) {
    throw new UsageError(`--assign '${text}': expected ROLE=app|user|group:ID with ROLE one of ${apiRoles.join(', ')}`);
  }
  const kind = m[2] as PrincipalKind;
  const key = (m[3] ?? '').trim();
  if (kind !== 'user' && !isGuid(key))
    throw new UsageError(`--assign '${text}': a ${kind} is given by its id (a GUID)`);
  return { role, kind, key };
}

export async function setupEntraCli(argv: readonly string[], env: Env, io: ScriptIo): Promise<number> {
  return runScript(io, USAGE, async () => {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        ...commonOptions,
        'unique-name': { type: 'string' },
        'display-name': { type: 'string' },
        'api-app-id': { type: 'string' },
        worker: { type: 'string' },
        intake: { type: 'string' },
        'connector-client-id': { type: 'string', multiple: true },
        assign: { type: 'string', multiple: true },
      },
      allowPositionals: true,
    });
    if (values.help) {
      io.out(USAGE);
      return;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const apiAppId = values['api-app-id']?.replace(/^api:\/\//i, '');
    for (const [name, value] of [
      ['--api-app-id', apiAppId],
      ['--worker', values.worker],
      ['--intake', values.intake],
      ...(values['connector-client-id'] ?? []).map((v) => ['--connector-client-id', v] as const),
    ] as const) {
      if (value !== undefined && !isGuid(value)) throw new UsageError(`${name} must be a GUID, got '${value}'`);
    }
    const uniqueName = values['unique-name'] ?? DEFAULT_UNIQUE_NAME;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(uniqueName)) {
      throw new UsageError(`--unique-name '${uniqueName}': letters, digits, '.', '_' and '-' only`);
    }
    const assignments = (values.assign ?? []).map(parseAssignment);
    const settings = commonSettings(values, env);
    const client = createGraphAdminClient(settings.graphBaseUrl, settings.credential);
    io.out(`signed in as: ${settings.signIn}; Graph: ${settings.graphBaseUrl.origin}`);
    const result = await setupEntra(
      client,
      {
        uniqueName,
        displayName: values['display-name'] ?? DEFAULT_DISPLAY_NAME,
        apiAppId,
        worker: values.worker,
        intake: values.intake,
        extraClients: values['connector-client-id'] ?? [],
        assignments,
        dryRun: settings.dryRun,
        replicationDelaysMs: [2_000, 4_000, 8_000, 16_000],
      },
      io.out,
    );
    io.out(
      settings.dryRun
        ? `dry run: ${result.changed} to change, ${result.unchanged} unchanged; nothing written`
        : `done: ${result.changed} changed, ${result.unchanged} unchanged`,
    );
    if (result.apiAppId) io.out(`AUTH_AUDIENCE=${result.apiAppId}`);
  });
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await setupEntraCli(process.argv.slice(2), process.env, consoleIo);
}
