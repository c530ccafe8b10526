// mfa-reset export <id> [-o results.csv]: every user's outcome as the service's CSV export (never a Temporary Access
// Pass), to a file or to stdout.
import { writeFile } from 'node:fs/promises';
import { clientFrom, parseCommand, requestIdArg, stringOf, type CommandContext } from '../args.js';
import { ExitCode, usageError, type ExitCode as Code } from '../cli-error.js';
import { statusPath } from '../wait-for-request.js';

export const exportHelp = `mfa-reset export <id> [-o results.csv]
  Every user's outcome as CSV (the service's export, formula-escaped), to the file or to stdout.`;

export async function exportCommand(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const { values, positionals } = parseCommand('export', argv, { output: { type: 'string', short: 'o' } });
  if (values.help) {
    ctx.out.line(exportHelp);
    return ExitCode.ok;
  }
  const id = requestIdArg('export', positionals);
  const client = clientFrom(values, ctx.env);
  const answer = await client.call<string>('GET', `${statusPath(id)}?format=csv`, { what: `export request ${id}` });
  const file = stringOf(values.output);
  const state = answer.headers.get('x-reset-status') ?? 'unknown';
  if (!file) {
    process.stdout.write(answer.text);
    return ExitCode.ok;
  }
  try {
    await writeFile(file, answer.text, { flag: 'w' });
  } catch (error) {
    throw usageError(`mfa-reset export: cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const rows = answer.text.split('\r\n').filter((l) => l !== '').length - 1;
  ctx.out.line(`Wrote ${file}: ${rows} users, request ${state}.`);
  return ExitCode.ok;
}
