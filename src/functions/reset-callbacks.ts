// Queue functions `reset-callbacks` (deliver a final request's completion callback) and its poison twin.
import { deliverCallback, quarantineCallback, type DeliverCallbackDeps } from '../lib/callbacks/deliver-callback.js';
import { parseCallbackMessage } from '../lib/queue/messages.js';
import type { StorageQueueHandler } from './adapter/functions-types.js';
import { poisonQueueFunction } from './adapter/poison-queue-function.js';
import { queueFunction } from './adapter/queue-function.js';

export const resetCallbacksFunction = { name: 'reset-callbacks', queueName: 'reset-callbacks' } as const;
export const resetCallbacksPoisonFunction = {
  name: 'reset-callbacks-poison',
  queueName: 'reset-callbacks-poison',
} as const;

export const resetCallbacksHandler = (deps: DeliverCallbackDeps): StorageQueueHandler =>
  queueFunction(
    { queueName: resetCallbacksFunction.queueName, telemetry: deps.telemetry },
    parseCallbackMessage,
    (message, { log }) => deliverCallback(deps, message, log),
  );

// Bounded like the other poison functions: a message it cannot handle ends on the dead-letter queue.
export const resetCallbacksPoisonHandler = (deps: DeliverCallbackDeps): StorageQueueHandler =>
  poisonQueueFunction(
    { queueName: resetCallbacksPoisonFunction.queueName, telemetry: deps.telemetry, queue: deps.queue },
    parseCallbackMessage,
    (message, { log }) => quarantineCallback(deps, message, log),
  );
