// Queue function `reset-batches`: fans a chunk of a bulk request out into one `reset-items` message per user.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { parseBatchMessage } from '../lib/queue/messages.js';
import type { ResetQueue } from '../lib/queue/reset-queue.js';
import { telemetryEvents, type Telemetry } from '../lib/telemetry/telemetry.js';
import { invocationLog } from '../lib/worker/index.js';

export const resetBatchesFunction = { name: 'reset-batches', queueName: 'reset-batches' } as const;

export interface ResetBatchesDeps {
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
}

export const resetBatchesHandler =
  (deps: ResetBatchesDeps): StorageQueueHandler =>
  async (entry: unknown, context: InvocationContext): Promise<void> => {
    const log = invocationLog(context);
    const parsed = parseBatchMessage(entry);
    if (!parsed.ok) {
      deps.telemetry.trackEvent(telemetryEvents.invalidMessage, {
        queue: resetBatchesFunction.queueName,
        problem: parsed.problem,
      });
      log.error('invalid_message', { queue: resetBatchesFunction.queueName, problem: parsed.problem });
      return;
    }
    const { requestId, from, to } = parsed.message;
    // A retry after a partial send sends some items twice; the worker ignores copies of items already final.
    await deps.queue.enqueueItems(requestId, from, to);
    log.info('batch_expanded', { requestId, from, to });
  };
