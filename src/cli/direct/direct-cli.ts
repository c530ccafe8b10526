// --direct as `mfa-reset reset` and `mfa-reset bulk` run it: the CLI's output (stdout results, stderr messages), its
// progress display and per-user lines, its exit codes. The commands validate their input first, as for the service.
import type { ParsedRequest } from '../../lib/requests/index.js';
import type { ItemView } from '../api-views.js';
import type { CommandContext } from '../args.js';
import { usageError, type ExitCode } from '../cli-error.js';
import { itemLine } from '../outcome.js';
import { createProgress } from '../progress.js';
import type { DirectCounts, DirectProgress } from './direct-progress.js';
import { directCommand } from './index.js';
import type { UserRun } from './run-users.js';

/** A user's run as the CLI's item line reads it. */
function itemViewOf(run: UserRun): ItemView {
  const r = run.result;
  return {
    index: run.index,
    user: run.item.userKey,
    status: 'final',
    outcome: r.outcome,
    methodsRemoved: r.methodsRemoved,
    methodsRemaining: r.outcome === 'protected' ? [] : r.methodsRemaining,
    methodsPlanned: r.planned,
    ...(r.error ? { error: r.error } : {}),
  };
}

function cliProgress(ctx: CommandContext): DirectProgress {
  const display = createProgress(ctx.out);
  const view = (s: DirectCounts) => ({
    id: 'direct',
    status: s.pending > 0 ? ('running' as const) : ('completed' as const),
    ...s,
  });
  return { update: (s) => display.update(view(s)), finish: (s) => display.finish(view(s)) };
}

/** Runs the validated request with --direct; the flags that make no sense without the service are refused. */
export async function directFromCli(
  command: 'reset' | 'bulk',
  request: ParsedRequest,
  values: Readonly<Record<string, unknown>>,
  ctx: CommandContext,
): Promise<ExitCode> {
  for (const flag of ['no-wait', 'api', 'audience']) {
    if (values[flag] !== undefined) throw usageError(`mfa-reset ${command}: --${flag} does not apply to --direct.`);
  }
  // Ctrl-C: the users in flight finish (a user is never left half-reset by us), the others end `cancelled`, and the
  // results CSV is written; a second Ctrl-C quits at once.
  let stopped = false;
  const onInterrupt = (): void => {
    if (stopped) process.exit(130);
    stopped = true;
    ctx.out.note('Stopping: users in progress finish, the others end cancelled. Ctrl-C again to quit now.');
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await directCommand(request, values, ctx.env, ctx.out, {
      progress: cliProgress(ctx),
      userLine: (run) => itemLine(itemViewOf(run)),
      stopped: () => stopped,
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
