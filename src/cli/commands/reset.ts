// mfa-reset reset <user>… --ticket … --reason …: one JSON request for these users, checked first with the service's
// own validators (src/lib/requests), then followed to its end unless --no-wait.
import { parseJsonRequest } from '../../lib/requests/index.js';
import type { AcceptedView } from '../api-views.js';
import { clientFrom, parseCommand, stringOf, type CommandContext } from '../args.js';
import { CliError, ExitCode, usageError, type ExitCode as Code } from '../cli-error.js';
import { followRequest } from '../follow.js';
import { directHelp, directOptions } from '../direct/direct-flags.js';

/** The most users one JSON request may name (MAX_BULK_ROWS' upper bound); the service applies its own setting. */
const MAX_USERS = 100_000;

export const resetHelp = `mfa-reset reset <user>… --ticket <ticket> --reason <reason> [options]
  Reset MFA for one or more users (UPN or object id) and wait for the outcome.
  --ticket INC…            the ITSM ticket (required)
  --reason R               lost_device | new_device | compromised | user_request | other (required)
  --requested-by UPN       the person who asked (optional)
  --methods M              all (default) | portal | a comma-separated list of method types
  --keep T,…               method types never to delete (repeatable)
  --no-revoke-sessions     keep the user's sign-in sessions (refused with --reason compromised)
  --dry-run                plan only: list what would be deleted
  --tap                    issue a Temporary Access Pass after the reset (tenant policy defaults), printed once
  --tap-lifetime MIN       its lifetime in minutes (implies --tap); --tap-reusable: usable more than once
  --no-wait                print the request id and return at once
${directHelp}`;

export const resetOptions = {
  ticket: { type: 'string' },
  reason: { type: 'string' },
  'requested-by': { type: 'string' },
  methods: { type: 'string' },
  keep: { type: 'string', multiple: true },
  'no-revoke-sessions': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  tap: { type: 'boolean' },
  'tap-lifetime': { type: 'string' },
  'tap-reusable': { type: 'boolean' },
  ...directOptions,
} as const;

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function tapOption(values: Record<string, unknown>): Record<string, unknown> | undefined {
  const lifetime = stringOf(values['tap-lifetime']);
  if (!values.tap && lifetime === undefined && !values['tap-reusable']) return undefined;
  return {
    ...(lifetime !== undefined ? { lifetimeMinutes: /^\d{1,6}$/.test(lifetime) ? Number(lifetime) : lifetime } : {}),
    ...(values['tap-reusable'] ? { isUsableOnce: false } : {}),
  };
}

export function resetBody(users: readonly string[], values: Record<string, unknown>): Record<string, unknown> {
  const methods = stringOf(values.methods);
  const keep = Array.isArray(values.keep) ? values.keep.flatMap((k) => list(String(k))) : [];
  const tap = tapOption(values);
  const options = {
    ...(methods !== undefined ? { methods: methods === 'all' || methods === 'portal' ? methods : list(methods) } : {}),
    ...(keep.length > 0 ? { keep } : {}),
    ...(values['no-revoke-sessions'] ? { revokeSessions: false } : {}),
    ...(values['dry-run'] ? { dryRun: true } : {}),
    ...(tap ? { temporaryAccessPass: tap } : {}),
  };
  return {
    ...(users.length === 1 ? { user: users[0] } : { users }),
    ticket: stringOf(values.ticket),
    reason: stringOf(values.reason),
    ...(stringOf(values['requested-by']) !== undefined ? { requestedBy: stringOf(values['requested-by']) } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

export async function resetCommand(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const { values, positionals } = parseCommand('reset', argv, resetOptions);
  if (values.help) {
    ctx.out.line(resetHelp);
    return ExitCode.ok;
  }
  if (positionals.length === 0) throw usageError('mfa-reset reset: name at least one user (UPN or object id).');
  const body = resetBody(positionals, values);
  // The service's own checks, before anything is sent: the same messages the API would answer with.
  const checked = parseJsonRequest(body, MAX_USERS);
  if (!checked.ok) {
    const lines = checked.errors.map((e) => `  ${flagName(e.field ?? '(body)')}: ${e.message}`);
    throw new CliError(['Not sent: the request has problems.', ...lines].join('\n'), ExitCode.usage);
  }
  if (values.direct)
    return (await import('../direct/direct-cli.js')).directFromCli('reset', checked.request, values, ctx);
  const client = clientFrom(values, ctx.env);
  const accepted = await client.call<AcceptedView>('POST', '/api/resets', { body, what: 'submit the reset' });
  const a = accepted.body;
  ctx.out.line(
    `Accepted request ${a.id}: ${a.items} user${a.items === 1 ? '' : 's'}, ${a.status}${a.duplicatesCollapsed ? ` (${a.duplicatesCollapsed} duplicates dropped)` : ''}`,
  );
  if (values['no-wait']) {
    ctx.out.note(
      `Follow it: mfa-reset status ${a.id} --wait${tapOption(values) ? ' (the first read after the reset shows the Temporary Access Pass, once)' : ''}`,
    );
    return ExitCode.ok;
  }
  return followRequest(ctx.out, client, a.id, { perUser: true });
}

/** The CLI name of a request field in a validation message (`options.keep` → `--keep`). */
function flagName(field: string): string {
  const names: Record<string, string> = {
    ticket: '--ticket',
    reason: '--reason',
    requestedBy: '--requested-by',
    'options.methods': '--methods',
    'options.keep': '--keep',
    'options.revokeSessions': '--no-revoke-sessions',
    'options.temporaryAccessPass': '--tap',
  };
  if (names[field]) return names[field];
  if (field.startsWith('options.temporaryAccessPass')) return '--tap-lifetime';
  if (field.startsWith('options.methods')) return '--methods';
  if (field.startsWith('options.keep')) return '--keep';
  const user = /^users?\.?(\d*)$/.exec(field);
  if (user) return user[1] ? `user ${Number(user[1]) + 1}` : 'user';
  return field;
}
