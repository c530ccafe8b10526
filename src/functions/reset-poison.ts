// Queue functions on the poison queues: mark the items failed with the reason and raise an alert event.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { parseBatchMessage, parseItemMessage } from '../lib/queue/messages.js';
import { telemetryEvents } from '../lib/telemetry/telemetry.js';
import { invocationLog, quarantineBatch, quarantineItem, type PoisonDeps } from '../lib/worker/index.js';

export const resetItemsPoisonFunction = { name: 'reset-items-poison', queueName: 'reset-items-poison' } as const;
export const resetBatchesPoisonFunction = { name: 'reset-batches-poison', queueName: 'reset-batches-poison' } as const;

export const resetItemsPoisonHandler =
  (deps: PoisonDeps): StorageQueueHandler =>
  async (entry: unknown, context: InvocationContext): Promise<void> => {
    const log = invocationLog(context);
    const parsed = parseItemMessage(entry);
    if (!parsed.ok) {
      deps.telemetry.trackEvent(telemetryEvents.invalidMessage, {
        queue: resetItemsPoisonFunction.queueName,
        problem: parsed.problem,
      });
      log.error('invalid_message', { queue: resetItemsPoisonFunction.queueName, problem: parsed.problem });
      return;
    }
    await quarantineItem(deps, parsed.message, log);
  };

export const resetBatchesPoisonHandler =
  (deps: PoisonDeps): StorageQueueHandler =>
  async (entry: unknown, context: InvocationContext): Promise<void> => {
    const log = invocationLog(context);
    const parsed = parseBatchMessage(entry);
    if (!parsed.ok) {
      deps.telemetry.trackEvent(telemetryEvents.invalidMessage, {
        queue: resetBatchesPoisonFunction.queueName,
        problem: parsed.problem,
      });
      log.error('invalid_message', { queue: resetBatchesPoisonFunction.queueName, problem: parsed.problem });
      return;
    }
    await quarantineBatch(deps, parsed.message, log);
  };
