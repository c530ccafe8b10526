// The service's HTTP API as the CLI uses it (docs/api.md): bearer token on every call, JSON or CSV bodies, problem
// answers turned into CliErrors. Nothing here prints; a token never appears in a message.
import { CliError, ExitCode } from './cli-error.js';
import type { TokenProvider } from './credential.js';
import { problemError, type ProblemBody } from './problem-message.js';

export interface ApiAnswer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly body?: string | object;
  readonly contentType?: string;
  /** What the call does, for error messages ("submit", "read request …"). */
  readonly what: string;
  /** Statuses that are answers, not errors (default 200 and 202). */
  readonly accept?: readonly number[];
}

export interface ApiClient {
  readonly baseUrl: string;
  call<T>(method: 'GET' | 'POST', path: string, options: CallOptions): Promise<ApiAnswer<T>>;
}

export function apiBaseUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = given ?? env.MFA_RESET_API;
  if (!raw)
    throw new CliError('No API: pass --api <https://your-app.azurewebsites.net> or set MFA_RESET_API.', ExitCode.usage);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--api / MFA_RESET_API is not a URL: give the function app's base URL.`, ExitCode.usage);
  }
  if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new CliError(
      '--api must be https (plain http only for localhost): tokens must not travel in clear.',
      ExitCode.usage,
    );
  }
  // Accept the base URL with or without /api.
  return url
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/api$/, '');
}

export function createApiClient(baseUrl: string, token: TokenProvider): ApiClient {
  return {
    baseUrl,
    async call<T>(method: 'GET' | 'POST', path: string, options: CallOptions): Promise<ApiAnswer<T>> {
      const bearer = await token();
      const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] = options.contentType ?? 'application/json';
      }
      let response: Response;
      try {
        response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
        throw new CliError(
          `${options.what}: could not reach ${baseUrl} (${cause}). Check --api / MFA_RESET_API.`,
          ExitCode.notAllReset,
        );
      }
      const text = await response.text();
      const isJson = /json/.test(response.headers.get('content-type') ?? '');
      let parsed: unknown = text;
      if (isJson && text) {
        try {
          parsed = JSON.parse(text) as unknown;
        } catch {
          parsed = {};
        }
      }
      if (!(options.accept ?? [200, 202]).includes(response.status)) {
        throw problemError(response.status, (isJson ? parsed : {}) as ProblemBody, options.what);
      }
      return { status: response.status, headers: response.headers, body: parsed as T, text };
    },
  };
}
