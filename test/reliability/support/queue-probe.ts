// Reads what is left on the service's queues, invisible (leased or deferred) messages included.
import { QueueServiceClient } from '@azure/storage-queue';

export const serviceQueues = ['reset-batches', 'reset-items', 'reset-batches-poison', 'reset-items-poison'] as const;

export type QueueCounts = Record<(typeof serviceQueues)[number], number>;

/** Approximate message counts per queue (Storage counts invisible messages too; a missing queue counts 0). */
export async function queueCounts(connectionString: string): Promise<QueueCounts> {
  const service = QueueServiceClient.fromConnectionString(connectionString);
  const entries = await Promise.all(
    serviceQueues.map(async (name) => {
      const queue = service.getQueueClient(name);
      if (!(await queue.exists())) return [name, 0] as const;
      const props = await queue.getProperties();
      return [name, props.approximateMessagesCount ?? 0] as const;
    }),
  );
  return Object.fromEntries(entries) as QueueCounts;
}

export const emptyQueues: QueueCounts = {
  'reset-batches': 0,
  'reset-items': 0,
  'reset-batches-poison': 0,
  'reset-items-poison': 0,
};
