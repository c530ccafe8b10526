// What the operator scripts share: common options, the credential, output, and the exit-code convention
// (0 done, 1 failed, 2 bad arguments). Output is single-line text; no token or secret is ever printed.
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_GRAPH_BASE_URL, parseGraphBaseUrl } from './graph-admin-client.js';
import { GrantError } from './app-role-grants.js';

export interface ScriptIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const consoleIo: ScriptIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export type Env = Readonly<Record<string, string | undefined>>;

/** Options every script accepts (see COMMON_HELP). */
export const commonOptions = {
  'dry-run': { type: 'boolean' },
  'graph-base-url': { type: 'string' },
  'authority-host': { type: 'string' },
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `Common options:
  --dry-run               print what would change; write nothing
  --graph-base-url URL    Microsoft Graph root (default ${DEFAULT_GRAPH_BASE_URL})
  Sign-in: by default DefaultAzureCredential (e.g. an administrator's \`az login\`).
  For automation, a client-credentials app instead:
  --tenant-id ID --client-id ID   with the secret in the environment variable AZURE_CLIENT_SECRET
  --authority-host URL    token authority for that app (a national cloud or a local emulator)`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CommonSettings {
  readonly dryRun: boolean;
  readonly graphBaseUrl: URL;
  readonly credential: TokenCredential;
  readonly signIn: string;
}

interface CommonValues {
  'dry-run'?: boolean;
  'graph-base-url'?: string;
  'authority-host'?: string;
  'tenant-id'?: string;
  'client-id'?: string;
}

export function commonSettings(values: CommonValues, env: Env): CommonSettings {
  let graphBaseUrl: URL;
  try {
    graphBaseUrl = parseGraphBaseUrl(values['graph-base-url'] ?? DEFAULT_GRAPH_BASE_URL);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tenantId = values['tenant-id'];
  const clientId = values['client-id'];
  const authorityHost = values['authority-host'];
  if (tenantId !== undefined || clientId !== undefined || authorityHost !== undefined) {
    const problems: string[] = [];
    if (!tenantId) problems.push('--tenant-id is required with --client-id/--authority-host');
    if (!clientId) problems.push('--client-id is required with --tenant-id/--authority-host');
    const secret = env.AZURE_CLIENT_SECRET;
    if (!secret) problems.push('AZURE_CLIENT_SECRET must hold the client secret of --client-id');
    if (authorityHost !== undefined && !/^https:\/\//i.test(authorityHost))
      problems.push('--authority-host must be an https URL');
    if (problems.length > 0 || !tenantId || !clientId || !secret) throw new UsageError(problems.join('; '));
    const credential = new ClientSecretCredential(tenantId, clientId, secret, {
      ...(authorityHost ? { authorityHost, disableInstanceDiscovery: true } : {}),
    });
    return { dryRun: values['dry-run'] === true, graphBaseUrl, credential, signIn: `app ${clientId}` };
  }
  return {
    dryRun: values['dry-run'] === true,
    graphBaseUrl,
    credential: new DefaultAzureCredential(),
    signIn: 'DefaultAzureCredential',
  };
}

/** Runs a script body with the exit-code convention; operator errors print as one line, others with their stack. */
export async function runScript(io: ScriptIo, usage: string, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`error: ${error.message}`);
      io.err(usage);
      return 2;
    }
    // The Graph client re-wraps errors thrown inside its middleware (the auth provider) as a GraphError whose code
    // is the original error's name and whose message is the original message.
    if (error instanceof GrantError || (error instanceof Error && 'code' in error && error.code === 'GrantError')) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

/** True when this module is the process entry point (`node dist/scripts/x.js`), not imported by a test. */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

export { parseArgs };
