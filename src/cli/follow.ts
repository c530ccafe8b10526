// After a submit (or for `status --wait`): follow the request to its end with the progress display, let Ctrl-C cancel
// it on the service, then print the outcome per user, any Temporary Access Pass, and return the exit code.
import type { ApiClient } from './api-client.js';
import type { RequestView } from './api-views.js';
import { ExitCode, type ExitCode as Code } from './cli-error.js';
import { askYesNo, onCtrlC } from './interrupt.js';
import { exitCodeOf, itemLine, summaryLine } from './outcome.js';
import type { Output } from './output.js';
import { createProgress } from './progress.js';
import { printTaps } from './tap-output.js';
import { waitForRequest } from './wait-for-request.js';

export interface FollowOptions {
  /** Print one line per user at the end (reset); a bulk run prints the summary only. */
  readonly perUser: boolean;
}

export async function followRequest(out: Output, client: ApiClient, id: string, options: FollowOptions): Promise<Code> {
  const progress = createProgress(out);
  let awaitingNoted = false;
  const interrupt = onCtrlC();
  let result;
  try {
    result = await waitForRequest(client, id, {
      signal: interrupt.signal,
      onView: (view) => {
        if (view.status === 'awaiting_approval') {
          if (!awaitingNoted)
            out.note(
              `Request ${id} waits for approval by another identity (mfa-reset approve ${id}); waiting. Ctrl-C to stop.`,
            );
          awaitingNoted = true;
          return;
        }
        if (view.pending > 0) progress.update(view);
      },
    });
  } finally {
    interrupt.dispose();
  }
  if (result.kind === 'interrupted') return interrupted(out, client, id);
  const view = result.view;
  progress.finish(view);
  report(out, view, options);
  await printTaps(out, client, id, view.items ?? []);
  return exitCodeOf(view);
}

function report(out: Output, view: RequestView, options: FollowOptions): void {
  if (options.perUser) for (const item of view.items ?? []) out.line(itemLine(item));
  out.line(summaryLine(view));
  if (view.approval?.state === 'rejected') out.note(`Rejected by the approver: ${view.approval.comment ?? ''}`);
  if (view.approval?.state === 'expired') out.note('Nobody approved it in time: every user ended expired.');
}

async function interrupted(out: Output, client: ApiClient, id: string): Promise<Code> {
  out.note('');
  const cancel = await askYesNo(`Stop waiting. Cancel request ${id} on the service too?`);
  if (!cancel) {
    out.note(
      `The request goes on in the service. Follow it: mfa-reset status ${id} --wait; stop it: mfa-reset cancel ${id}`,
    );
    return ExitCode.notAllReset;
  }
  const answer = await client.call<RequestView & { cancelled: number; finishing: number[] }>(
    'POST',
    `/api/resets/${encodeURIComponent(id)}/cancel`,
    { what: `cancel request ${id}` },
  );
  out.line(
    `Cancelled request ${id}: ${answer.body.cancelled} users not started end cancelled${answer.body.finishing.length ? `; ${answer.body.finishing.length} being reset now will finish` : ''}.`,
  );
  return ExitCode.notAllReset;
}
