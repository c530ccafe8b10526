// mfa-reset cancel <id>: users not started end `cancelled`; a user being reset right now is finished.
import { clientFrom, parseCommand, requestIdArg, type CommandContext } from '../args.js';
import { ExitCode, type ExitCode as Code } from '../cli-error.js';

export const cancelHelp = `mfa-reset cancel <id>
  Stop a request: users not started end cancelled (no change to them); a user being reset now is finished.`;

export async function cancelCommand(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const { values, positionals } = parseCommand('cancel', argv, {});
  if (values.help) {
    ctx.out.line(cancelHelp);
    return ExitCode.ok;
  }
  const id = requestIdArg('cancel', positionals);
  const client = clientFrom(values, ctx.env);
  const answer = await client.call<{ cancelled: number; finishing: readonly number[] }>(
    'POST',
    `/api/resets/${id}/cancel`,
    { what: `cancel request ${id}` },
  );
  const b = answer.body;
  ctx.out.line(
    `Cancelled request ${id}: ${b.cancelled} users cancelled now${b.finishing.length ? `, ${b.finishing.length} being reset will finish` : ''}.`,
  );
  return ExitCode.ok;
}
