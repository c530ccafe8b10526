// Queue function `reset-batches`: fans a chunk of a bulk request out into one `reset-items` message per user.
import { parseBatchMessage } from '../lib/queue/messages.js';
import type { ResetQueue } from '../lib/queue/reset-queue.js';
import type { StateStore } from '../lib/store/ports.js';
import type { Telemetry } from '../lib/telemetry/telemetry.js';
import { expandBatch } from '../lib/worker/index.js';
import type { StorageQueueHandler } from './adapter/functions-types.js';
import { queueFunction } from './adapter/queue-function.js';

export const resetBatchesFunction = { name: 'reset-batches', queueName: 'reset-batches' } as const;

export interface ResetBatchesDeps {
  /** The range in a batch message is clamped to the stored request's items. */
  readonly store: Pick<StateStore, 'getRequest'>;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
}

export const resetBatchesHandler = (deps: ResetBatchesDeps): StorageQueueHandler =>
  queueFunction(
    { queueName: resetBatchesFunction.queueName, telemetry: deps.telemetry },
    parseBatchMessage,
    (message, { log }) => expandBatch(deps, message, log),
  );
