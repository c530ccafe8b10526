// Queue function `reset-items`: one message = one user of a stored request.
import { parseItemMessage } from '../lib/queue/messages.js';
import { processItem, type ProcessItemDeps } from '../lib/worker/index.js';
import type { StorageQueueHandler } from './adapter/functions-types.js';
import { queueFunction } from './adapter/queue-function.js';

export const resetItemsFunction = { name: 'reset-items', queueName: 'reset-items' } as const;

export const resetItemsHandler = (deps: ProcessItemDeps): StorageQueueHandler =>
  queueFunction(
    { queueName: resetItemsFunction.queueName, telemetry: deps.telemetry },
    parseItemMessage,
    (message, invocation) => processItem(deps, message, invocation),
  );
