// Turns the service's problem answers (RFC 9457, docs/api.md#errors) into a message that names the fix, and the
// exit code: the caller's own mistake or missing right is 2, the service not taking work now is 1.
import { CliError, ExitCode } from './cli-error.js';

export interface ProblemBody {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly { field?: string; line?: number; message: string }[];
  readonly totalErrors?: number;
  readonly reason?: string;
  readonly requiredRole?: string;
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;
  readonly mode?: string;
}

const TOKEN_FIXES: Readonly<Record<string, string>> = {
  missing_token: 'sign in (`az login`) or pass --token',
  expired: 'get a new token: run `az login` again, or pass a fresh --token',
  not_yet_valid: "check this machine's clock",
  wrong_audience: "check --audience / MFA_RESET_AUDIENCE: it must be the API app's client id",
  wrong_tenant: "sign in to the service's tenant: `az login --tenant <tenant id>`",
  wrong_issuer: "sign in to the service's tenant: `az login --tenant <tenant id>`",
};

const slugOf = (body: ProblemBody): string => (body.type ?? '').replace(/^urn:mfa-reset:problem:/, '');

/** Every listed problem, one line each, with its field or CSV line. */
export function problemLines(body: ProblemBody): string[] {
  const lines = (body.errors ?? []).map((e) =>
    e.line !== undefined ? `  line ${e.line}: ${e.message}` : `  ${e.field ?? '(body)'}: ${e.message}`,
  );
  if (body.totalErrors !== undefined && body.totalErrors > lines.length)
    lines.push(`  … ${body.totalErrors - lines.length} more`);
  return lines;
}

export function problemError(status: number, body: ProblemBody, what: string): CliError {
  const slug = slugOf(body);
  const detail = body.detail ?? body.title ?? `HTTP ${status}`;
  switch (status) {
    case 400:
      return new CliError([`${what}: ${detail}`, ...problemLines(body)].join('\n'), ExitCode.usage);
    case 401: {
      const fix = TOKEN_FIXES[body.reason ?? ''] ?? 'sign in again (`az login`) or pass a valid --token';
      return new CliError(
        `${what}: the service refused the token (${body.reason ?? 'invalid'}).\nFix: ${fix}.`,
        ExitCode.usage,
      );
    }
    case 403:
      if (body.requiredRole) {
        return new CliError(
          `${what}: your account lacks ${body.requiredRole}.\nFix: ask an administrator to assign you the app role ${body.requiredRole} (npm run assign-caller-role), then sign in again.`,
          ExitCode.usage,
        );
      }
      if (slug === 'self-approval')
        return new CliError(`${what}: you submitted this request; another identity must decide.`, ExitCode.usage);
      return new CliError(`${what}: ${detail}`, ExitCode.usage);
    case 404:
      return new CliError(
        `${what}: no such request for you (requests are visible to the identity that submitted them, approvers and operators).`,
        ExitCode.usage,
      );
    case 429:
      return new CliError(
        `${what}: ${detail}${body.retryAfterSeconds ? ` Try again in ${body.retryAfterSeconds} s.` : ''}`,
        ExitCode.notAllReset,
      );
    default:
      if (status === 409 || status === 422 || status === 413 || status === 415)
        return new CliError(
          `${what}: ${detail}${body.requestId ? ` (request ${body.requestId})` : ''}`,
          ExitCode.usage,
        );
      return new CliError(`${what}: ${detail} (HTTP ${status}, ${slug || 'no problem type'})`, ExitCode.notAllReset);
  }
}
