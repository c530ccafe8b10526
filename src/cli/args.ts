// Argument parsing (node:util parseArgs) with the options every command shares: where the API is and how to sign in.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { apiBaseUrl, createApiClient, type ApiClient } from './api-client.js';
import { usageError } from './cli-error.js';
import { tokenProvider } from './credential.js';
import type { Output } from './output.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const commonOptions = {
  api: { type: 'string' },
  audience: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export interface CommandContext {
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
}

export function parseCommand<O extends OptionSpec>(
  command: string,
  argv: readonly string[],
  options: O,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { ...commonOptions, ...options },
      allowPositionals: true,
      strict: true,
    });
    return {
      values: parsed.values,
      positionals: parsed.positionals,
    };
  } catch (error) {
    throw usageError(`mfa-reset ${command}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The API client from --api/MFA_RESET_API and the token options. */
export function clientFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv): ApiClient {
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const base = apiBaseUrl(str('api'), env);
  return createApiClient(base, tokenProvider({ token: str('token'), audience: str('audience'), env }));
}

export function requestIdArg(command: string, positionals: readonly string[]): string {
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw usageError(`mfa-reset ${command} takes one request id.`);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    throw usageError(
      `mfa-reset ${command}: ${id.slice(0, 60)} is not a request id (a GUID, as printed by reset and bulk).`,
    );
  return id.toLowerCase();
}

export const stringOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
