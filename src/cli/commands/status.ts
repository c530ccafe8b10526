// mfa-reset status <id> [--wait]: where a request stands (per outcome, per user on its first page), or follow it to
// its end. A Temporary Access Pass the answer reveals is printed: the service shows it once.
import type { RequestView } from '../api-views.js';
import { clientFrom, parseCommand, requestIdArg, type CommandContext } from '../args.js';
import { ExitCode, type ExitCode as Code } from '../cli-error.js';
import { followRequest } from '../follow.js';
import { exitCodeOf, itemLine, summaryLine } from '../outcome.js';
import { printTaps } from '../tap-output.js';
import { statusPath } from '../wait-for-request.js';

export const statusHelp = `mfa-reset status <id> [--wait]
  Where a request stands: per outcome, and per user (the first 1000). --wait follows it to its end.
  Exit code once final: 0 every user reset (or nothing to reset), 1 otherwise; 0 while it runs.`;

export async function statusCommand(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const { values, positionals } = parseCommand('status', argv, { wait: { type: 'boolean' } });
  if (values.help) {
    ctx.out.line(statusHelp);
    return ExitCode.ok;
  }
  const id = requestIdArg('status', positionals);
  const client = clientFrom(values, ctx.env);
  if (values.wait) return followRequest(ctx.out, client, id, { perUser: true });
  const answer = await client.call<RequestView>('GET', statusPath(id), { what: `read request ${id}` });
  const view = answer.body;
  for (const item of view.items ?? []) ctx.out.line(itemLine(item));
  if ((view.pages ?? 1) > 1) ctx.out.note(`Users after the first 1000: mfa-reset export ${id}`);
  ctx.out.line(summaryLine(view));
  if (view.status === 'awaiting_approval')
    ctx.out.note(`It waits for approval by another identity: mfa-reset approve ${id}`);
  // A one-user request's first read after the reset holds the pass; a bulk one's are read per user, once.
  await printTaps(ctx.out, client, id, view.items ?? []);
  return answer.status === 200 ? exitCodeOf(view) : ExitCode.ok;
}
