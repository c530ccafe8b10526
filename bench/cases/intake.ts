// Issue 7 §4: a 50,000-row CSV through POST /api/resets on the local stack: time to the 202, time until every
// reset-items message is on the queue (the fan-out function expands reset-batches messages; the reset-items worker
// is not run, so the messages stay there to be counted), messages per second, and the app process's peak memory.
import { demoTenant } from '../../dev/graph-emulator/index.js';
import { resetItemsFunction } from '../../src/functions/reset-items.js';
import { startLocalStack } from '../support/local-stack.js';
import { machineInfo } from '../support/machine.js';
import { report } from '../support/report.js';
import { round } from '../support/stats.js';

export interface IntakeOptions {
  readonly rows: number;
  readonly command: string;
}

export function bulkCsv(rows: number): string {
  const lines = ['user,ticket,reason'];
  for (let i = 0; i < rows; i++)
    lines.push(`bulk.user${String(i).padStart(6, '0')}@contoso.example,INC${2_000_000 + i},lost_device`);
  return `${lines.join('\n')}\n`;
}

export async function intake(options: IntakeOptions): Promise<void> {
  const machine = machineInfo();
  const stack = await startLocalStack({ fixture: demoTenant(), skipFunctions: [resetItemsFunction.name] });
  let appMaxRssBytes: number | undefined;
  try {
    const csv = bulkCsv(options.rows);
    const items = stack.queues.getQueueClient('reset-items');
    await stack.token();
    const t0 = performance.now();
    const answer = await stack.submit(csv, 'text/csv');
    if (answer.status !== 202) throw new Error(`POST answered ${answer.status}: ${answer.text.slice(0, 2000)}`);
    const acceptedMs = answer.answeredAt - t0;
    let queued = 0;
    let allQueuedMs = Number.NaN;
    const deadline = performance.now() + 600_000;
    while (performance.now() < deadline) {
      queued = (await items.getProperties()).approximateMessagesCount ?? 0;
      if (queued >= options.rows) {
        allQueuedMs = performance.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (Number.isNaN(allQueuedMs)) throw new Error(`only ${queued} of ${options.rows} item messages after 600 s`);
    ({ appMaxRssBytes } = await stack.stop());
    await report({
      bench: 'intake',
      command: options.command,
      machine,
      settings: { rows: options.rows, csvBytes: Buffer.byteLength(csv), itemsWorker: 'not running (messages counted)' },
      figures: {
        'time to 202 (s)': round(acceptedMs / 1000, 2),
        'time until every item message is queued (s)': round(allQueuedMs / 1000, 2),
        'messages per second (POST → all queued)': round(options.rows / (allQueuedMs / 1000), 0),
        'messages per second (202 → all queued)': round(options.rows / ((allQueuedMs - acceptedMs) / 1000), 0),
        'app peak RSS (MiB)': appMaxRssBytes === undefined ? 'n/a' : round(appMaxRssBytes / 2 ** 20, 0),
      },
    });
  } finally {
    if (appMaxRssBytes === undefined) await stack.stop().catch(() => undefined);
  }
}
