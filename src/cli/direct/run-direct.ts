// `--direct`: the service's reset engine in this process, against Microsoft Graph, signed in as the admin at the
// terminal (delegated rights) — for small tenants with no deployment. The same validators ran before this (the
// command's), the same guard and engine run here (src/app/compose-engine.ts), the same outcomes come out, and a
// results CSV with the service export's columns is written at the end. No storage, no queue, no seals, no approvals,
// no cooldown, and no service audit trail: Microsoft Entra ID's audit log records each change under the admin's name.
import { access } from 'node:fs/promises';
import type { TokenCredential } from '@azure/identity';
import { composeEngine } from '../../app/compose-engine.js';
import type { ItemOutcome } from '../../lib/domain/index.js';
import type { ParsedRequest } from '../../lib/requests/index.js';
import { directCredential } from './delegated-credential.js';
import { delegatedPort } from './delegated-refusals.js';
import { countsLine, lineProgress, type DirectProgress } from './direct-progress.js';
import type { DirectSettings } from './direct-settings.js';
import { passIssuer, type DirectPass } from './issue-pass.js';
import { writeResultsCsv } from './results-csv.js';
import { runUsers, type UserRun } from './run-users.js';
import { checkSignIn, SignInError } from './sign-in-check.js';

/** Where the run writes: results and per-user lines to stdout, messages and the sign-in prompt to stderr. */
export interface DirectIo {
  line(text: string): void;
  note(text: string): void;
}

export interface DirectHooks {
  /** The progress display (default: a plain line per 5 %). */
  readonly progress?: DirectProgress;
  /** The line printed for each user as they finish (default: userLine). */
  readonly userLine?: (run: UserRun) => string;
  /** Instead of the sign-in the settings describe (tests). */
  readonly credential?: TokenCredential;
  readonly signal?: AbortSignal;
  /** True once the person asked to stop: users not started end `cancelled`; the results CSV is still written. */
  readonly stopped?: () => boolean;
}

/** 0: every user reset, had nothing to reset or was planned; 1: some were not; 2: sign-in or file problem. */
export type DirectExitCode = 0 | 1 | 2;

export interface DirectSummary {
  readonly exitCode: DirectExitCode;
  readonly runs: readonly UserRun[];
  /** The results CSV, once written. */
  readonly resultsPath?: string;
}

export const NO_AUDIT_NOTICE =
  'Direct mode: no mfa-reset service, so no service audit trail. Microsoft Entra ID records every change in its ' +
  'audit log under your account; the results CSV is your local record.';

const GOOD: ReadonlySet<ItemOutcome> = new Set(['reset', 'nothing_to_reset', 'planned']);

const types = (list: readonly { type: string }[]): string =>
  list.length > 0 ? [...new Set(list.map((m) => m.type))].join(', ') : 'none';

/** `user  outcome  what changed or why not`. */
export function userLine(run: UserRun): string {
  const r = run.result;
  const head = `${run.item.userKey}  ${r.outcome}`;
  switch (r.outcome) {
    case 'reset':
      return `${head}  removed: ${types(r.methodsRemoved)}${r.methodsRemaining.length ? `; kept: ${types(r.methodsRemaining)}` : ''}${r.sessionsRevoked ? '; sessions revoked' : ''}`;
    case 'planned':
      return `${head}  would remove: ${types(r.planned)}`;
    case 'failed':
      return `${head}  ${r.error ? `${r.error.code}: ${r.error.message}` : ''}`.trimEnd();
    default:
      return head;
  }
}

function passLine(user: string, pass: DirectPass): { text: string; stdout: boolean } {
  const o = pass.outcome;
  if (o.status === 'issued' && pass.value) {
    const use = o.isUsableOnce ? 'one use' : 'several uses';
    return {
      text: `Temporary Access Pass for ${user}: ${pass.value}  (valid ${o.lifetimeMinutes} min from ${o.startDateTime}, ${use}); shown once, hand it over on a verified channel only`,
      stdout: true,
    };
  }
  const why = o.status === 'not_issued' ? `${o.reason}${o.detail ? ` (${o.detail})` : ''}` : 'not issued';
  return { text: `No Temporary Access Pass for ${user}: ${why}`, stdout: false };
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

export async function runDirect(
  request: ParsedRequest,
  settings: DirectSettings,
  io: DirectIo,
  hooks: DirectHooks = {},
): Promise<DirectSummary> {
  if (await exists(settings.resultsPath)) {
    io.note(`mfa-reset --direct: ${settings.resultsPath} exists; name another results file with -o.`);
    return { exitCode: 2, runs: [] };
  }
  io.note(NO_AUDIT_NOTICE);
  const credential = hooks.credential ?? directCredential(settings, (message) => io.note(message));
  try {
    const signedIn = await checkSignIn(credential, request.options);
    io.note(
      `Signed in${signedIn.name ? ` as ${signedIn.name}` : ''} (delegated: Entra ID's admin rules apply to you).`,
    );
    if (signedIn.missing.length > 0)
      io.note(
        `Your token lacks the delegated permissions ${signedIn.missing.join(', ')}: Graph will refuse those calls ` +
          '(a Global Administrator consents them for the client you signed in with).',
      );
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    io.note(`mfa-reset --direct: ${error.message}`);
    return { exitCode: 2, runs: [] };
  }

  const { engine, tapGraph } = composeEngine({
    baseUrl: settings.graphBaseUrl,
    credential,
    maxConcurrency: settings.maxConcurrency,
    maxWaitMs: settings.maxWaitMs,
    protectedUsers: settings.protectedUsers,
    protectedGroupIds: settings.protectedGroupIds,
    decoratePort: delegatedPort,
  });
  const issuePass = passIssuer(tapGraph);
  const asked = request.options.temporaryAccessPass;
  const progress = hooks.progress ?? lineProgress((text) => io.line(text));
  const counts: Partial<Record<ItemOutcome, number>> = {};
  const total = request.items.length;
  let finished = 0;
  const state = () => ({ total, pending: total - finished, counts: { ...counts } });

  const runs = await runUsers({
    engine,
    items: request.items,
    options: request.options,
    parallelUsers: settings.parallelUsers,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.stopped ? { stopped: hooks.stopped } : {}),
    onWait: (item, ms) => io.note(`${item.userKey}: Microsoft Graph asked to wait ${Math.ceil(ms / 1000)} s; waiting`),
    onDone: async (run) => {
      finished += 1;
      counts[run.result.outcome] = (counts[run.result.outcome] ?? 0) + 1;
      io.line((hooks.userLine ?? userLine)(run));
      if (asked) {
        const pass = passLine(run.item.userKey, await issuePass(asked, run.result, request.options.dryRun));
        if (pass.stdout) io.line(pass.text);
        else io.note(pass.text);
      }
      progress.update(state());
    },
  });
  progress.finish(state());

  let resultsPath: string | undefined;
  try {
    await writeResultsCsv(settings.resultsPath, runs);
    resultsPath = settings.resultsPath;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
    io.note(`mfa-reset --direct: the results CSV was not written to ${settings.resultsPath} (${code}).`);
  }
  io.line(
    `Direct run: ${total} user${total === 1 ? '' : 's'}: ${countsLine(counts)}${resultsPath ? `. Results: ${resultsPath}` : ''}`,
  );
  const allGood = runs.every((r) => GOOD.has(r.result.outcome));
  return { exitCode: allGood ? 0 : 1, runs, ...(resultsPath ? { resultsPath } : {}) };
}
