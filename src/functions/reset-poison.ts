// Queue functions on the poison queues: mark the items failed with the reason and raise an alert event.
import { parseBatchMessage, parseItemMessage } from '../lib/queue/messages.js';
import { quarantineBatch, quarantineItem, type PoisonDeps } from '../lib/worker/index.js';
import type { StorageQueueHandler } from './adapter/functions-types.js';
import { queueFunction } from './adapter/queue-function.js';

export const resetItemsPoisonFunction = { name: 'reset-items-poison', queueName: 'reset-items-poison' } as const;
export const resetBatchesPoisonFunction = { name: 'reset-batches-poison', queueName: 'reset-batches-poison' } as const;

export const resetItemsPoisonHandler = (deps: PoisonDeps): StorageQueueHandler =>
  queueFunction(
    { queueName: resetItemsPoisonFunction.queueName, telemetry: deps.telemetry },
    parseItemMessage,
    (message, { log }) => quarantineItem(deps, message, log),
  );

export const resetBatchesPoisonHandler = (deps: PoisonDeps): StorageQueueHandler =>
  queueFunction(
    { queueName: resetBatchesPoisonFunction.queueName, telemetry: deps.telemetry },
    parseBatchMessage,
    (message, { log }) => quarantineBatch(deps, message, log),
  );
