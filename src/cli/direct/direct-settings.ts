// What --direct needs besides the request: who signs in (tenant, public client or --token), where Entra ID and
// Graph are, and the service's own guard settings. Flags first, then the environment the worker reads (the same
// names: GRAPH_BASE_URL, GRAPH_ALLOW_ANY_HOST, GRAPH_MAX_CONCURRENCY, GRAPH_MAX_WAIT_SECONDS, PROTECTED_USERS,
// PROTECTED_GROUP_IDS), validated by the service's own schema so the same values mean the same thing.
import { PREAUTHORIZED_PUBLIC_CLIENTS, isGuid } from '../../lib/domain/index.js';
import { graphHostProblem } from '../../lib/config/index.js';
import { graphSchema } from '../../lib/config/schema.js';

export interface DirectSettings {
  /** Directory (tenant) id or a verified domain; required for the device code sign-in. */
  readonly tenant: string | undefined;
  /** The public client the admin signs in through (default: Microsoft Graph PowerShell's). */
  readonly clientId: string;
  /** A delegated Graph access token given as is (no sign-in). */
  readonly token: string | undefined;
  /** AZURE_AUTHORITY_HOST: Entra ID's sign-in host (another cloud, or the emulator in tests). */
  readonly authorityHost: string | undefined;
  readonly graphBaseUrl: string;
  readonly maxConcurrency: number;
  readonly maxWaitMs: number;
  readonly protectedUsers: readonly string[];
  readonly protectedGroupIds: readonly string[];
  /** Users reset at once. */
  readonly parallelUsers: number;
  /** Where the results CSV goes. */
  readonly resultsPath: string;
}

export class DirectSettingsError extends Error {
  override readonly name = 'DirectSettingsError';
}

const DEFAULT_PARALLEL = 4;
const MAX_PARALLEL = 16;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The settings from the command's flags and the environment; a DirectSettingsError lists every problem. */
export function directSettingsFrom(
  values: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  now: Date = new Date(),
): DirectSettings {
  const problems: string[] = [];
  const token = str(values.token) ?? str(env.MFA_RESET_GRAPH_TOKEN);
  const tenant = str(values.tenant) ?? str(env.AZURE_TENANT_ID);
  if (!token && !tenant) problems.push('--tenant (or AZURE_TENANT_ID) is required to sign in; or give --token');
  if (tenant && !/^[A-Za-z0-9.-]{1,253}$/.test(tenant))
    problems.push('--tenant must be a tenant id (GUID) or a domain name');
  const clientId = str(values['client-id']) ?? PREAUTHORIZED_PUBLIC_CLIENTS.graphPowerShell;
  if (!isGuid(clientId)) problems.push('--client-id must be an application (client) id, a GUID');
  const parallelRaw = str(values.parallel);
  const parallel = parallelRaw === undefined ? DEFAULT_PARALLEL : Number(parallelRaw);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL)
    problems.push(`--parallel must be a whole number from 1 to ${MAX_PARALLEL}`);

  const graph = graphSchema.safeParse(env);
  if (!graph.success) {
    for (const issue of graph.error.issues) problems.push(`${String(issue.path[0])} ${issue.message}`);
  }
  const baseUrl = graph.success ? (graph.data.GRAPH_BASE_URL ?? 'https://graph.microsoft.com') : '';
  const hostProblem = graph.success ? graphHostProblem(baseUrl, graph.data.GRAPH_ALLOW_ANY_HOST) : undefined;
  if (hostProblem) problems.push(`${hostProblem.key} ${hostProblem.message}`);
  if (problems.length > 0 || !graph.success) throw new DirectSettingsError(problems.join('\n'));

  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return {
    tenant,
    clientId: clientId.toLowerCase(),
    token,
    authorityHost: str(env.AZURE_AUTHORITY_HOST),
    graphBaseUrl: baseUrl,
    maxConcurrency: graph.data.GRAPH_MAX_CONCURRENCY,
    maxWaitMs: graph.data.GRAPH_MAX_WAIT_SECONDS * 1000,
    protectedUsers: graph.data.PROTECTED_USERS,
    protectedGroupIds: graph.data.PROTECTED_GROUP_IDS,
    parallelUsers: parallel,
    resultsPath: str(values.results) ?? `mfa-reset-direct-${stamp}.csv`,
  };
}
