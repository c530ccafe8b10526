// What the service was doing, for a wait that timed out: the depth of each queue (visible and invisible messages),
// the requests still unfinished with the state of their items, and the host's last log lines. Read through a store and
// queue clients of its own (never the app's: reading fills the store's caches). No user keys: tests print this.
import { QueueServiceClient } from '@azure/storage-queue';
import {
  createTableStore,
  type StoredItem,
  type StoredRequest,
  type TableStore,
} from '../../../src/lib/store/index.js';
import { serviceQueues } from './queue-probe.js';

export interface SystemReportSource {
  readonly connectionString: string;
  /** Requests to describe whatever their state (default: the newest unfinished ones). */
  readonly requestIds?: readonly string[];
  /** The host's output so far (the last `logLines` are printed). */
  readonly hostLines?: () => readonly string[];
  readonly logLines?: number;
  /** Log lines to leave out of the tail (e.g. the waiting test's own status polls), counted instead. */
  readonly quiet?: (line: string) => boolean;
  /** Anything else the caller knows (e.g. the last answer of the status endpoint). */
  readonly extra?: () => readonly string[];
}

const maxRequests = 5;
const maxItems = 10;
/** Storage returns at most 32 messages per peek. */
const peekLimit = 32;

/** Per queue: all messages (Storage's approximate count includes invisible ones) and the visible ones (a peek). */
export async function queueDepths(connectionString: string): Promise<string> {
  const service = QueueServiceClient.fromConnectionString(connectionString);
  const parts = await Promise.all(
    serviceQueues.map(async (name) => {
      const queue = service.getQueueClient(name);
      if (!(await queue.exists())) return `${name} (missing)`;
      const total = (await queue.getProperties()).approximateMessagesCount ?? 0;
      if (total === 0) return `${name} 0`;
      const visible = (await queue.peekMessages({ numberOfMessages: peekLimit })).peekedMessageItems.length;
      const shown = visible === peekLimit ? `${peekLimit}+` : String(visible);
      return `${name} ${total} (${shown} visible, ${visible === peekLimit ? '≤' : ''}${total - visible} invisible)`;
    }),
  );
  return `queues: ${parts.join(' | ')}`;
}

function itemLine(item: StoredItem): string {
  const lease = item.lease ? ` lease=${item.lease.owner.slice(0, 8)}…until ${item.lease.until}` : '';
  const error = item.error ? ` error=${item.error.code}` : '';
  return (
    `  item ${item.index}: ${item.status}${item.outcome ? ` ${item.outcome}` : ''} attempts=${item.attempts} ` +
    `rev=${item.revision}${lease}${error} updated=${item.updatedAt}`
  );
}

async function requestLines(store: TableStore, request: StoredRequest): Promise<string[]> {
  const summary = await store.getSummary(request);
  const lines = [
    `request ${request.id}: phase=${request.phase} startedAt=${request.startedAt ?? '-'} ` +
      `status=${summary.status} pending=${summary.pending}/${summary.total} updated=${summary.updatedAt}`,
  ];
  const { items } = await store.listItems(request, 1);
  lines.push(...items.slice(0, maxItems).map(itemLine));
  if (items.length > maxItems) lines.push(`  … ${request.itemCount - maxItems} more items`);
  return lines;
}

/** The newest requests of the table whose items are not all final. */
async function unfinishedRequests(store: TableStore): Promise<StoredRequest[]> {
  const ids: { id: string; createdAt: string }[] = [];
  const rows = store.client.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `RowKey eq 'request'`, select: ['requestId', 'createdAt', 'completedAt'] },
  });
  for await (const row of rows) {
    if (!row.completedAt) ids.push({ id: String(row.requestId), createdAt: String(row.createdAt) });
  }
  ids.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const requests: StoredRequest[] = [];
  for (const { id } of ids) {
    if (requests.length >= maxRequests) break;
    const request = await store.getRequest(id);
    if (request && (await store.getSummary(request)).pending > 0) requests.push(request);
  }
  return requests;
}

async function build(source: SystemReportSource): Promise<string[]> {
  const lines = [...(source.extra?.() ?? [])];
  lines.push(await queueDepths(source.connectionString).catch((e: unknown) => `queues: unreadable (${String(e)})`));
  const store = createTableStore({ storage: { kind: 'connectionString', connectionString: source.connectionString } });
  try {
    const requests = source.requestIds
      ? (await Promise.all(source.requestIds.map((id) => store.getRequest(id)))).filter(
          (r): r is StoredRequest => r !== undefined,
        )
      : await unfinishedRequests(store);
    if (requests.length === 0) lines.push(source.requestIds ? 'requests: not found' : 'requests: none unfinished');
    for (const request of requests) lines.push(...(await requestLines(store, request)));
  } catch (e) {
    lines.push(`requests: unreadable (${String(e)})`);
  }
  const all = source.hostLines?.() ?? [];
  const quiet = source.quiet;
  const host = quiet ? all.filter((l) => !quiet(l)) : all;
  const tail = host.slice(-(source.logLines ?? 40));
  const left = all.length - host.length;
  lines.push(
    `host log (last ${tail.length} of ${all.length} lines${left > 0 ? `, ${left} status polls left out` : ''}):`,
    ...tail,
  );
  return lines;
}

/** A multi-line description of the system; never throws, and gives up after `timeoutMs` (storage may be down). */
export async function systemReport(source: SystemReportSource, timeoutMs = 10_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([`(the report did not finish within ${timeoutMs} ms)`]), timeoutMs);
  });
  try {
    const lines = await Promise.race([build(source), late]);
    return lines.join('\n');
  } catch (e) {
    return `(no report: ${String(e)})`;
  } finally {
    clearTimeout(timer);
  }
}
