// Queue function `reset-batches`: fans a chunk of a bulk request out into one `reset-items` message per user.
import { parseBatchMessage } from '../lib/queue/messages.js';
import type { ResetQueue } from '../lib/queue/reset-queue.js';
import type { Telemetry } from '../lib/telemetry/telemetry.js';
import type { StorageQueueHandler } from './adapter/functions-types.js';
import { queueFunction } from './adapter/queue-function.js';

export const resetBatchesFunction = { name: 'reset-batches', queueName: 'reset-batches' } as const;

export interface ResetBatchesDeps {
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
}

export const resetBatchesHandler = (deps: ResetBatchesDeps): StorageQueueHandler =>
  queueFunction(
    { queueName: resetBatchesFunction.queueName, telemetry: deps.telemetry },
    parseBatchMessage,
    async ({ requestId, from, to }, { log }) => {
      // A retry after a partial send sends some items twice; the worker ignores copies of items already final.
      await deps.queue.enqueueItems(requestId, from, to);
      log.info('batch_expanded', { requestId, from, to });
    },
  );
