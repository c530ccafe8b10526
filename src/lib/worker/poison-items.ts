// Poison handling: a message that failed maxDequeueCount times marks its items failed (never pending forever),
// with the reason, an audit row (the store writes it) and an alert event.
import { mapBounded, range } from '../concurrency/bounded.js';
import type { ResetBatchMessage, ResetItemMessage } from '../queue/reset-queue.js';
import type { ResetFailure } from '../domain/index.js';
import type { StateStore } from '../store/ports.js';
import { telemetryEvents, telemetryMetrics, type Telemetry } from '../telemetry/telemetry.js';
import { storedRange } from './expand-batch.js';
import type { WorkLog } from './work-log.js';

export interface PoisonDeps {
  readonly store: StateStore;
  readonly telemetry: Telemetry;
}

/** The last worker note for an item (e.g. `worker_error GraphTransportError`), to name the cause in the failure. */
async function lastNote(store: StateStore, requestId: string, index: number): Promise<string | undefined> {
  const audit = await store.listAudit(requestId);
  return audit.filter((e) => e.item === index && e.note).at(-1)?.note;
}

function poisonFailure(note: string | undefined): ResetFailure {
  return {
    code: 'poison_message',
    message:
      'The worker could not finish this reset after repeated attempts and gave up; nothing more will be tried for ' +
      `this user in this request. Submit a new request once the cause is fixed.${note ? ` Last error: ${note}.` : ''}`,
  };
}

export async function quarantineItem(deps: PoisonDeps, message: ResetItemMessage, log: WorkLog): Promise<boolean> {
  const { requestId, item } = message;
  const note = await lastNote(deps.store, requestId, item).catch(() => undefined);
  const result = await deps.store.failItem(requestId, item, poisonFailure(note), requestId);
  if (!result.changed) {
    log.info('poison_item_already_final', { requestId, item, reason: result.reason });
    return false;
  }
  deps.telemetry.trackMetric(telemetryMetrics.itemsPoisoned, 1);
  deps.telemetry.trackMetric(telemetryMetrics.itemsProcessed, 1, { outcome: 'failed' });
  deps.telemetry.trackEvent(telemetryEvents.itemPoisoned, { requestId, item, lastError: note });
  log.error('item_poisoned', { requestId, item, lastError: note });
  return true;
}

/**
 * Fails the items of a batch that could not be expanded. The range comes from a queue message, which anyone able to
 * write the queue can forge: only items the stored request has are failed, as the fan-out enqueues only those.
 */
export async function quarantineBatch(deps: PoisonDeps, message: ResetBatchMessage, log: WorkLog): Promise<number> {
  const { requestId } = message;
  const stored = await storedRange(deps.store, message, log);
  if (!stored) return 0;
  const { from, to } = stored;
  let failed = 0;
  const failure: ResetFailure = {
    code: 'poison_message',
    message:
      'The bulk request could not be expanded into per-user work after repeated attempts; this user was not reset. ' +
      'Submit a new request once the cause is fixed.',
  };
  await mapBounded(range(from, to), 16, async (item) => {
    const result = await deps.store.failItem(requestId, item, failure, requestId);
    if (result.changed) failed += 1;
  });
  deps.telemetry.trackMetric(telemetryMetrics.itemsPoisoned, failed);
  if (failed > 0) deps.telemetry.trackMetric(telemetryMetrics.itemsProcessed, failed, { outcome: 'failed' });
  deps.telemetry.trackEvent(telemetryEvents.batchPoisoned, { requestId, from, to, itemsFailed: failed });
  log.error('batch_poisoned', { requestId, from, to, itemsFailed: failed });
  return failed;
}
