// The audit record end to end on the local stack (harness, Azurite with its blob service, the Graph emulator): a
// reset leaves a chain whose events equal the table's audit rows; a request rejected before any worker ran is
// recorded by the worker's timer; and `npm run audit` reports a good chain, an edited blob, an edited table row and a
// tail cut from the record, with its exit codes.
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken, postResets } from '../../dev/stack/api-client.js';
import { InvocationContext } from '../../dev/harness/functions-runtime.js';
import { runAudit } from '../../scripts/audit/main.js';
import { resetAuditReconcileHandler } from '../../src/functions/reset-audit-reconcile.js';
import { createBlobAuditRecord, sha256Hex } from '../../src/lib/audit-record/index.js';
import { canonicalJson, verifyChain } from '../../src/lib/domain/index.js';
import { DEFAULT_TABLE_NAME, listAllAuditRows } from '../../src/lib/store/index.js';
import { newTicket, startStack, until, type TestStack } from '../e2e/support/stack.js';

let stack: TestStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // Two users or more wait for approval: the rejected request below never reaches a worker.
  stack = await startStack({ env: { APPROVAL_MIN_USERS: '2' } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['logicApp', 'approver'] as const)
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
}, 120_000);
afterAll(async () => stack?.stop());

const table = (): TableClient =>
  TableClient.fromConnectionString(stack.azurite.connectionString, DEFAULT_TABLE_NAME, {
    allowInsecureConnection: true,
  });
const container = () =>
  BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getContainerClient('audit');
const record = () => createBlobAuditRecord({ container: container() });

/** The chain's events and the table's rows as canonical JSON, keyed by auditId. */
async function both(requestId: string): Promise<{ chain: Map<string, string>; rows: Map<string, string> }> {
  const { lines } = await record().read(requestId);
  const verdict = verifyChain(requestId, lines, sha256Hex);
  expect(verdict.problems).toEqual([]);
  const chain = new Map(verdict.entries.map((e) => [e.event.auditId, canonicalJson(e.event)]));
  const rows = new Map((await listAllAuditRows(table(), requestId)).map((r) => [r.auditId, canonicalJson(r)]));
  return { chain, rows };
}

const sameContent = async (requestId: string): Promise<boolean> => {
  const { chain, rows } = await both(requestId);
  return rows.size > 0 && chain.size === rows.size && [...rows].every(([id, json]) => chain.get(id) === json);
};

async function submit(users: string[]): Promise<string> {
  const answer = await postResets(stack.url, tokens.logicApp, { users, ticket: newTicket(), reason: 'lost_device' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.id;
}

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const env = { MfaAudit: stack.azurite.connectionString, AzureWebJobsStorage: stack.azurite.connectionString };
  const code = await runAudit(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
    (t) => out.push(t),
  );
  return { code, out, err };
}

let resetId = '';

describe('audit record', () => {
  it('a reset leaves a chain whose events equal the table audit rows, in an unbroken chain', async () => {
    resetId = await submit([DEMO_USERS.defaultPush]);
    await until(
      async () => (await stack.app.store.getItem(resetId, 0))?.status === 'final',
      `item 0 of ${resetId} final`,
      60_000,
    );
    // The worker's own rows are appended right after each commit; RequestEnqueued may race the first claim and
    // then comes with the next timer pass (every 30 s).
    await until(() => sameContent(resetId), `the chain of ${resetId} to equal its table rows`, 60_000);
    const { chain } = await both(resetId);
    const types = [...chain.values()].map((j) => (JSON.parse(j) as { eventType: string }).eventType);
    expect(types).toEqual(expect.arrayContaining(['RequestReceived', 'RequestEnqueued', 'ResetCompleted']));
  }, 120_000);

  it('a request rejected before any worker ran is recorded by the worker timer', async () => {
    // The timer runs every 30 s; the test runs its handler once itself (the harness's own run may come too: a second
    // pass appends nothing, shipping is idempotent).
    const shipper = stack.app.audit?.shipper;
    if (!shipper) throw new Error('the worker has no audit record');
    const id = await submit([DEMO_USERS.defaultSms, DEMO_USERS.defaultVoiceMobile]);
    const rejected = await postResets(
      stack.url,
      tokens.approver,
      { comment: 'not ours' },
      { path: `/api/resets/${id}/reject` },
    );
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const context = new InvocationContext({ invocationId: 'audit-timer-test', functionName: 'reset-audit-reconcile' });
    const now = new Date().toISOString();
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: now, next: now, lastUpdated: now },
    };
    await resetAuditReconcileHandler(shipper)(timer, context);
    await until(() => sameContent(id), `the timer to record rejected request ${id}`, 75_000);
    const { chain } = await both(id);
    const types = [...chain.values()].map((j) => (JSON.parse(j) as { eventType: string }).eventType);
    expect(types).toEqual(expect.arrayContaining(['RequestReceived', 'RequestRejected', 'ItemRejected']));
  }, 120_000);

  it('npm run audit: exit 0 and a summary on a good chain; export writes it as JSON Lines', async () => {
    const good = await cli(['verify', '--request', resetId]);
    expect(good.code, good.out.join('\n')).toBe(0);
    expect(good.out.at(-1)).toMatch(
      new RegExp(`^${resetId}: \\d+ entries in 1 part\\(s\\), \\d+ table rows, 0 problem\\(s\\) — OK$`),
    );
    const exported = await cli(['export', '--request', resetId]);
    expect(exported.code).toBe(0);
    const lines = exported.out.join('').trimEnd().split('\n');
    expect(verifyChain(resetId, lines, sha256Hex).problems).toEqual([]);
    const since = await cli(['verify', '--since', '24h']);
    expect(since.code, since.out.join('\n')).toBe(0);
    expect(since.out.at(-1)).toMatch(/^2 request\(s\) changed since .*, 0 with problems$/);
  });

  it('npm run audit: exit 2 with the fix named on bad usage or an unreachable account', async () => {
    const usage = await cli(['verify']);
    expect(usage.code).toBe(2);
    expect(usage.err.join('\n')).toMatch(/verify needs --request/);
    const unreachable = await cli([
      'verify',
      '--request',
      resetId,
      '--audit-connection',
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1',
      '--no-table',
    ]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.err.join('\n')).toMatch(/cannot read the audit record .*set MfaAudit/);
    expect(unreachable.err.join('\n')).not.toMatch(/AccountKey/);
  });

  it('an edited table row: exit 1, the row named by seq, auditId and type', async () => {
    const rows = table().listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq 'req|${resetId}' and kind eq 'audit'` },
    });
    for await (const row of rows) {
      const event = JSON.parse(String(row.event)) as Record<string, unknown>;
      if (event.eventType !== 'RequestReceived') continue;
      await table().updateEntity(
        {
          partitionKey: String(row.partitionKey),
          rowKey: String(row.rowKey),
          event: JSON.stringify({ ...event, ticket: 'INC0000000' }),
        },
        'Merge',
      );
    }
    const edited = await cli(['verify', '--request', resetId]);
    expect(edited.code).toBe(1);
    expect(edited.out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/seq=\d+ auditId=\S+ eventType=RequestReceived differs_from_table/),
      ]),
    );
    expect(edited.out.join('\n')).not.toMatch(/@/); // never a UPN or an e-mail address
  });

  it('an edited blob: exit 1, the entry named; a tail cut from the record: caught by the table cross-check', async () => {
    const blob = container().getAppendBlobClient(`requests/${resetId}.jsonl`);
    const original = (await blob.downloadToBuffer()).toString('utf8');
    const lines = original.trimEnd().split('\n');
    // Azurite enforces no immutability: rewrite the blob with one event changed.
    const rewrite = async (text: string): Promise<void> => {
      await blob.delete();
      await blob.create();
      if (text) await blob.appendBlock(text, Buffer.byteLength(text));
    };
    const tampered = [...lines];
    tampered[1] = tampered[1].replace(/"eventTime":"[^"]+"/, '"eventTime":"2020-01-01T00:00:00.000Z"');
    expect(tampered[1]).not.toBe(lines[1]);
    await rewrite(`${tampered.join('\n')}\n`);
    const edited = await cli(['verify', '--request', resetId, '--no-table']);
    expect(edited.code).toBe(1);
    expect(edited.out).toEqual(
      expect.arrayContaining([expect.stringMatching(/line=2 seq=2 auditId=\S+ eventType=\S+ edited:/)]),
    );

    // The last entry cut off: the chain alone still verifies; the table row it held is reported missing.
    await rewrite(`${lines.slice(0, -1).join('\n')}\n`);
    const chainOnly = await cli(['verify', '--request', resetId, '--no-table']);
    expect(chainOnly.code).toBe(0);
    const withTable = await cli(['verify', '--request', resetId]);
    expect(withTable.code).toBe(1);
    const last = JSON.parse(lines.at(-1) ?? '{}') as { event: { auditId: string } };
    expect(withTable.out).toEqual(expect.arrayContaining([expect.stringContaining(`auditId=${last.event.auditId}`)]));
    expect(withTable.out.join('\n')).toMatch(/not_in_record/);
  });
});
