// `npm run demo`: the whole story on the embedded stack (in-memory Azurite, the emulator's demo tenant, the harness on
// random ports): one reset, then a CSV bulk of every demo user, polled as Logic Apps polls, then what happened to each
// user. Exits non-zero when an outcome differs from what the demo tenant should give.
import type { FixtureUser } from '../graph-emulator/index.js';
import {
  DEMO_APPS,
  DEMO_BREAK_GLASS_UPN,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_USERS,
  demoTenant,
} from '../graph-emulator/index.js';
import { mapBounded } from '../../src/lib/concurrency/bounded.js';
import { clientCredentialsToken, pollLikeLogicApps, postResets, type ResetStatusView } from './api-client.js';
import { reexecWithEmulatorCa, startLocalStack, type LocalStack } from './local-stack.js';

interface UserView {
  id: string;
  userPrincipalName: string;
  methods: { '@odata.type': string }[];
  /** The emulator's own answer to "is this user privileged, and how" (docs/emulator.md, Tenant privilege). */
  privilegePaths?: string[];
  /** Groups the user is in or can get into (ownership, PIM eligibility, nesting). */
  reachableGroups?: string[];
}

const unknownUsers = ['nobody.here@contoso.example', 'left.company@contoso.example'];
const tty = process.stdout.isTTY;

const typeName = (odataType: string): string =>
  odataType.replace('#microsoft.graph.', '').replace(/AuthenticationMethod$/, '');

async function emulatorUser(stack: LocalStack, key: string): Promise<UserView | undefined> {
  const response = await fetch(`${stack.emulator?.url}/_emulator/users/${encodeURIComponent(key)}`);
  return response.ok ? ((await response.json()) as UserView) : undefined;
}

/** What the demo tenant should give each user under the default options (methods "all"). */
function expectedOutcome(view: UserView | undefined, fixture: FixtureUser | undefined): string {
  if (!view) return 'not_found';
  // Every Entra privilege path (issue 12) as the emulator's model sees it, the protected group and the list.
  const privileged =
    view.userPrincipalName.toLowerCase() === DEMO_BREAK_GLASS_UPN.toLowerCase() ||
    (view.privilegePaths?.length ?? 0) > 0 ||
    (view.reachableGroups ?? []).includes(DEMO_PROTECTED_GROUP_ID);
  if (privileged) return 'protected';
  // A fixture user whose default method can never be deleted (the emulator hides what blocks it): verification fails.
  if (fixture?.hiddenBlockingMethods) return 'failed';
  // The password is never deleted, nor a hardware OATH token (Graph lets no application delete one).
  const kept = ['#microsoft.graph.passwordAuthenticationMethod', '#microsoft.graph.hardwareOathAuthenticationMethod'];
  const deletable = view.methods.filter((m) => !kept.includes(m['@odata.type']));
  return deletable.length === 0 ? 'nothing_to_reset' : 'reset';
}

function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const text = `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
  if (tty) process.stdout.write(`\r${text}`);
  else console.log(text);
}

const finished = (s: ResetStatusView): number =>
  Object.entries(s.counts)
    .filter(([k]) => k !== 'pending')
    .reduce((sum, [, n]) => sum + n, 0);

async function main(): Promise<number> {
  const stack = await startLocalStack({ port: 0, emulatorPort: 0, azuriteLocation: null, forceEmulator: true });
  try {
    const env = stack.emulator?.env;
    if (!env) throw new Error('the demo needs the emulator');
    console.log(`Local stack: API ${stack.url}, Graph emulator ${stack.emulator?.url}\n`);
    const token = await clientCredentialsToken(env.TOKEN_ENDPOINT, DEMO_APPS.logicApp, env.AUTH_AUDIENCE);
    console.log(`1. Token for the demo app "${'Logic App bulk resets'}" (client credentials).`);

    // --- single reset
    const single = DEMO_USERS.plain;
    const one = await postResets(stack.url, token, { user: single, ticket: 'INC0010001', reason: 'lost_device' });
    if (one.status !== 202) throw new Error(`single reset answered ${one.status}: ${JSON.stringify(one.body)}`);
    console.log(`2. POST /api/resets {user: ${single}} → ${one.status}, Location ${one.headers.get('location')}`);
    const oneDone = await pollLikeLogicApps(new URL(one.headers.get('location') ?? '', stack.url).toString(), token);
    const oneItem = oneDone.final.body.items[0];
    console.log(
      `   polled ${oneDone.polls}× (Retry-After honoured) → ${oneDone.final.status}: ${oneItem?.outcome}, ` +
        `removed ${oneItem?.methodsRemoved?.map((m) => m.type).join(', ') || 'nothing'}\n`,
    );

    // --- bulk CSV
    const fixture = new Map(demoTenant().users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
    const fixtureUsers = [...fixture.values()].map((u) => u.userPrincipalName);
    const targets = [...fixtureUsers.filter((u) => u !== single), ...unknownUsers];
    // Keyed in lower case: the API reports UPNs normalised to lower case.
    const before = new Map<string, UserView | undefined>(
      (await mapBounded(targets, 16, async (u) => [u.toLowerCase(), await emulatorUser(stack, u)] as const)).map(
        ([u, v]) => [u, v],
      ),
    );
    const csv = ['user,ticket,reason', ...targets.map((u) => `${u},INC0010002,compromised`)].join('\n');
    const bulk = await postResets(stack.url, token, csv, { contentType: 'text/csv' });
    if (bulk.status !== 202) throw new Error(`bulk reset answered ${bulk.status}: ${JSON.stringify(bulk.body)}`);
    console.log(`3. POST /api/resets (text/csv, ${targets.length} users) → ${bulk.status} ${bulk.body.status}`);
    if (bulk.body.status === 'awaiting_approval') {
      // Every CSV that changes something waits for a second person (APPROVAL_MIN_USERS): the approver app decides.
      const approverToken = await clientCredentialsToken(env.TOKEN_ENDPOINT, DEMO_APPS.approver, env.AUTH_AUDIENCE);
      const approved = await postResets(
        stack.url,
        approverToken,
        { comment: 'demo: tickets checked' },
        { path: `/api/resets/${bulk.body.id}/approve` },
      );
      if (approved.status !== 200)
        throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`);
      console.log(
        `   POST /api/resets/{id}/approve by the demo app "Change approver" → ${approved.status} ${approved.body.status}`,
      );
    }
    console.log('   polling like Logic Apps:');
    const bulkDone = await pollLikeLogicApps(new URL(bulk.headers.get('location') ?? '', stack.url).toString(), token, {
      onPending: (s) => progress(finished(s), targets.length),
    });
    progress(finished(bulkDone.final.body), targets.length);
    if (tty) process.stdout.write('\n');
    console.log(`   done after ${bulkDone.polls} polls → ${bulkDone.final.status}\n`);

    // --- results
    const items = bulkDone.final.body.items;
    const rows = await mapBounded(items, 16, async (item) => {
      const pre = before.get(item.user.toLowerCase());
      const post = pre ? await emulatorUser(stack, item.user) : undefined;
      return {
        user: item.user,
        outcome: item.outcome,
        expected: expectedOutcome(pre, fixture.get(item.user.toLowerCase())),
        before: pre?.methods.map((m) => typeName(m['@odata.type'])) ?? [],
        after: post?.methods.map((m) => typeName(m['@odata.type'])) ?? [],
        error: item.error?.code,
      };
    });
    const counts = new Map<string, { actual: number; expected: number }>();
    for (const r of rows) {
      const a = counts.get(r.outcome) ?? { actual: 0, expected: 0 };
      a.actual += 1;
      counts.set(r.outcome, a);
      const e = counts.get(r.expected) ?? { actual: 0, expected: 0 };
      e.expected += 1;
      counts.set(r.expected, e);
    }
    console.log('4. Outcomes of the bulk request');
    console.log(`   ${'outcome'.padEnd(18)} ${'actual'.padStart(6)} ${'expected'.padStart(8)}`);
    for (const [outcome, c] of [...counts].sort()) {
      console.log(`   ${outcome.padEnd(18)} ${String(c.actual).padStart(6)} ${String(c.expected).padStart(8)}`);
    }
    console.log('\n5. Methods per user, before → after (types only)');
    const width = Math.min(48, Math.max(...rows.map((r) => r.user.length)));
    for (const r of rows) {
      const mark = r.outcome === r.expected ? ' ' : '!';
      console.log(
        `${mark}  ${r.user.padEnd(width)} ${r.outcome.padEnd(16)} ${r.before.join(',') || '-'} → ${r.after.join(',') || '-'}` +
          (r.error ? `  (${r.error})` : ''),
      );
    }
    const wrong = rows.filter((r) => r.outcome !== r.expected);
    if (wrong.length > 0 || oneItem?.outcome !== 'reset') {
      console.log(
        `\n${wrong.length + (oneItem?.outcome === 'reset' ? 0 : 1)} outcome(s) differ from the demo tenant's expectations (marked !).`,
      );
      return 1;
    }
    console.log(`\nEvery outcome matches what the demo tenant should give (${rows.length + 1} users).`);
    return 0;
  } finally {
    await stack.stop();
  }
}

if (!(await reexecWithEmulatorCa(true))) {
  try {
    process.exitCode = await main();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
    process.exitCode = 1;
  }
}
