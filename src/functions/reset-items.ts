// Queue function `reset-items`: one message = one user of a stored request.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { parseItemMessage } from '../lib/queue/messages.js';
import { telemetryEvents } from '../lib/telemetry/telemetry.js';
import { invocationLog, processItem, type ProcessItemDeps } from '../lib/worker/index.js';

export const resetItemsFunction = { name: 'reset-items', queueName: 'reset-items' } as const;

export const resetItemsHandler =
  (deps: ProcessItemDeps): StorageQueueHandler =>
  async (entry: unknown, context: InvocationContext): Promise<void> => {
    const log = invocationLog(context);
    const parsed = parseItemMessage(entry);
    if (!parsed.ok) {
      // A retry cannot fix a malformed body: log and drop it instead of sending it through five attempts to poison.
      deps.telemetry.trackEvent(telemetryEvents.invalidMessage, {
        queue: resetItemsFunction.queueName,
        problem: parsed.problem,
      });
      log.error('invalid_message', { queue: resetItemsFunction.queueName, problem: parsed.problem });
      return;
    }
    await processItem(deps, parsed.message, {
      invocationId: context.invocationId,
      dequeueCount: Number(context.triggerMetadata?.dequeueCount) || undefined,
      log,
    });
  };
