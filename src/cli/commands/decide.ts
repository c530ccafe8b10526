// mfa-reset approve|reject <id> [--comment …]: the second person's decision on a request that waits for approval.
import { clientFrom, parseCommand, requestIdArg, stringOf, type CommandContext } from '../args.js';
import { ExitCode, usageError, type ExitCode as Code } from '../cli-error.js';

export const decideHelp = `mfa-reset approve <id> [--comment "CAB-42 checked"]
mfa-reset reject <id> --comment "why"
  Decide on a request that waits for approval (Resets.Approve; not the identity that submitted it).`;

interface Decided {
  readonly status: string;
  readonly total: number;
  readonly approval: { readonly state: string };
}

export async function decideCommand(
  decision: 'approve' | 'reject',
  argv: readonly string[],
  ctx: CommandContext,
): Promise<Code> {
  const { values, positionals } = parseCommand(decision, argv, { comment: { type: 'string' } });
  if (values.help) {
    ctx.out.line(decideHelp);
    return ExitCode.ok;
  }
  const id = requestIdArg(decision, positionals);
  const comment = stringOf(values.comment);
  if (decision === 'reject' && !comment) throw usageError('mfa-reset reject: --comment is required (why).');
  const client = clientFrom(values, ctx.env);
  const answer = await client.call<Decided>('POST', `/api/resets/${id}/${decision}`, {
    body: comment ? { comment } : {},
    what: `${decision} request ${id}`,
  });
  const b = answer.body;
  ctx.out.line(`Request ${id}: ${b.approval.state} (${b.total} users, now ${b.status}).`);
  return ExitCode.ok;
}
