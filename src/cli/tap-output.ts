// Temporary Access Passes, printed once (issue 18): the service reveals a pass to its submitter once and erases it,
// so the CLI prints it the moment it gets it, with the rule for handing it over. A pass on a bulk view is read per
// user from /items/{n}/tap.
import type { ApiClient } from './api-client.js';
import type { ItemView, TapItemView, TapView } from './api-views.js';
import type { Output } from './output.js';

export const TAP_WARNING =
  'Shown once: the service will not show it again. Hand it to the user on a verified channel only (call them back on a number already on file, or in person); never send it to an address or number the caller just gave you.';

function terms(tap: TapView): string {
  const parts = [
    tap.lifetimeMinutes !== undefined ? `valid ${tap.lifetimeMinutes} min` : undefined,
    tap.startDateTime ? `from ${tap.startDateTime}` : undefined,
    tap.isUsableOnce === undefined ? undefined : tap.isUsableOnce ? 'one use' : 'several uses',
  ].filter(Boolean);
  return parts.length > 0 ? `  (${parts.join(', ')})` : '';
}

function printTap(out: Output, user: string, tap: TapView): boolean {
  if (tap.value) {
    out.line(`Temporary Access Pass for ${user}: ${tap.value}${terms(tap)}`);
    out.line(`WARNING: ${TAP_WARNING}`);
    return true;
  }
  if (tap.status === 'not_issued')
    out.note(
      `No Temporary Access Pass for ${user}: ${tap.reason ?? 'not issued'}${tap.detail ? ` (${tap.detail})` : ''}`,
    );
  else if (tap.revealed)
    out.note(`The Temporary Access Pass for ${user} was already shown at ${tap.revealedAt ?? '?'}.`);
  else if (tap.expired) out.note(`The Temporary Access Pass for ${user} expired unread.`);
  return false;
}

/** Prints every pass of these items: from the view when it holds the value, else from the item's tap endpoint. */
export async function printTaps(
  out: Output,
  client: ApiClient,
  requestId: string,
  items: readonly ItemView[],
): Promise<void> {
  for (const item of items) {
    const tap = item.temporaryAccessPass;
    if (!tap) continue;
    if (tap.value || tap.status !== 'issued' || tap.revealed || tap.expired) {
      printTap(out, item.user, tap);
      continue;
    }
    const answer = await client.call<TapItemView>(
      'GET',
      `/api/resets/${encodeURIComponent(requestId)}/items/${item.index}/tap`,
      { what: `read the Temporary Access Pass of ${item.user}` },
    );
    if (answer.body.temporaryAccessPass) printTap(out, item.user, answer.body.temporaryAccessPass);
  }
}
