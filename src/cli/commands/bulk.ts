// mfa-reset bulk <file.csv>: checks the file with the intake's own CSV parser and validators (every problem with its
// line, nothing sent while there is one), uploads it, then shows the progress until every user is final.
import { readFile } from 'node:fs/promises';
import { optionsFromQuery, parseCsvRequest } from '../../lib/requests/index.js';
import type { AcceptedView } from '../api-views.js';
import { clientFrom, parseCommand, stringOf, type CommandContext } from '../args.js';
import { CliError, ExitCode, usageError, type ExitCode as Code } from '../cli-error.js';
import { followRequest } from '../follow.js';
import { problemLines } from '../problem-message.js';
import { directHelp, directOptions } from '../direct/direct-flags.js';

/** MAX_BULK_ROWS' upper bound: the service applies its own (lower) setting and says so with the line. */
const MAX_ROWS = 100_000;

export const bulkHelp = `mfa-reset bulk <file.csv> [options]
  Reset MFA for every user of a CSV file (header user,ticket,reason[,requestedBy]); the file is checked here first.
  Every upload that is not a dry run waits for another identity's approval when the service requires it.
  --dry-run                plan only: list what would be deleted
  --methods M, --keep T,…, --no-revoke-sessions   as for reset
  --no-wait                print the request id and return at once
  Progress: a live line on a terminal, a plain line per 5 % otherwise. Ctrl-C asks whether to cancel the request.
${directHelp}`;

const bulkOptions = {
  methods: { type: 'string' },
  keep: { type: 'string', multiple: true },
  'no-revoke-sessions': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  ...directOptions,
} as const;

/** The upload's options as the query string the API takes with a CSV (docs/api.md, CSV). */
function optionQuery(values: Record<string, unknown>): URLSearchParams {
  const query = new URLSearchParams();
  const methods = stringOf(values.methods);
  if (methods !== undefined) query.set('methods', methods);
  const keep = Array.isArray(values.keep) ? values.keep.map(String).join(',') : '';
  if (keep !== '') query.set('keep', keep);
  if (values['no-revoke-sessions']) query.set('revokeSessions', 'false');
  if (values['dry-run']) query.set('dryRun', 'true');
  return query;
}

const FLAG: Readonly<Record<string, string>> = {
  'query.methods': '--methods',
  'query.keep': '--keep',
  'query.revokeSessions': '--no-revoke-sessions',
  'query.dryRun': '--dry-run',
};

export async function bulkCommand(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const { values, positionals } = parseCommand('bulk', argv, bulkOptions);
  if (values.help) {
    ctx.out.line(bulkHelp);
    return ExitCode.ok;
  }
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw usageError('mfa-reset bulk takes one CSV file.');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw usageError(`mfa-reset bulk: cannot read ${file} (${code}).`);
  }

  const query = optionQuery(values);
  const options = optionsFromQuery(query);
  if (!options.ok) {
    const lines = options.errors.map((e) => `  ${FLAG[e.field ?? ''] ?? e.field ?? ''}: ${e.message}`);
    throw new CliError(['Not sent: the options have problems.', ...lines].join('\n'), ExitCode.usage);
  }
  // The intake's own parser and validators: what passes here passes there (but for its MAX_BULK_ROWS).
  const checked = await parseCsvRequest([bytes], { maxRows: MAX_ROWS, resetOptions: options.options });
  if (!checked.ok) {
    const errors = { errors: checked.errors, totalErrors: checked.totalErrors };
    throw new CliError(
      [
        `Not sent: ${file} has ${checked.totalErrors} problem${checked.totalErrors === 1 ? '' : 's'}.`,
        ...problemLines(errors),
      ].join('\n'),
      ExitCode.usage,
    );
  }
  const users = checked.request.items.length;
  const dropped = checked.request.duplicates;
  ctx.out.line(
    `Checked ${file}: ${users} user${users === 1 ? '' : 's'}${dropped ? ` (${dropped} duplicate rows dropped)` : ''}`,
  );

  if (values.direct)
    return (await import('../direct/direct-cli.js')).directFromCli('bulk', checked.request, values, ctx);
  const client = clientFrom(values, ctx.env);
  const suffix = query.size > 0 ? `?${query.toString()}` : '';
  const accepted = await client.call<AcceptedView>('POST', `/api/resets${suffix}`, {
    body: bytes.toString('utf8'),
    contentType: 'text/csv; charset=utf-8',
    what: `upload ${file}`,
  });
  const a = accepted.body;
  ctx.out.line(`Accepted request ${a.id}: ${a.items} users, ${a.status}`);
  if (values['no-wait']) {
    ctx.out.note(`Follow it: mfa-reset status ${a.id} --wait`);
    return ExitCode.ok;
  }
  return followRequest(ctx.out, client, a.id, { perUser: false });
}
