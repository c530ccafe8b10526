// Queue functions on the poison queues: mark the items failed with the reason and raise an alert event. Their own
// retries are bounded (poison-queue-function.ts): a message they cannot handle ends on the dead-letter queue.
import { parseBatchMessage, parseItemMessage } from '../lib/queue/messages.js';
import { quarantineBatch, quarantineItem, type PoisonDeps } from '../lib/worker/index.js';
import type { ResetQueue } from '../lib/queue/index.js';
import type { StorageQueueHandler } from './adapter/functions-types.js';
import { poisonQueueFunction } from './adapter/poison-queue-function.js';

export const resetItemsPoisonFunction = { name: 'reset-items-poison', queueName: 'reset-items-poison' } as const;
export const resetBatchesPoisonFunction = { name: 'reset-batches-poison', queueName: 'reset-batches-poison' } as const;

/** The worker's queue adapter parks what the poison functions give up on. */
type PoisonHandlerDeps = PoisonDeps & { readonly queue: Pick<ResetQueue, 'deadLetter'> };

export const resetItemsPoisonHandler = (deps: PoisonHandlerDeps): StorageQueueHandler =>
  poisonQueueFunction(
    { queueName: resetItemsPoisonFunction.queueName, telemetry: deps.telemetry, queue: deps.queue },
    parseItemMessage,
    (message, { log }) => quarantineItem(deps, message, log),
  );

export const resetBatchesPoisonHandler = (deps: PoisonHandlerDeps): StorageQueueHandler =>
  poisonQueueFunction(
    { queueName: resetBatchesPoisonFunction.queueName, telemetry: deps.telemetry, queue: deps.queue },
    parseBatchMessage,
    (message, { log }) => quarantineBatch(deps, message, log),
  );
