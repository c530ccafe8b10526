import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

describe('test/support/azurite', () => {
  let azurite: RunningAzurite | undefined;
  afterEach(async () => {
    await azurite?.stop();
    azurite = undefined;
  });

  it('serves queues and tables through the explicit connection string', async () => {
    azurite = await startTestAzurite();
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const queue = queues.getQueueClient('probe');
    await queue.createIfNotExists();
    await queue.sendMessage('aGVsbG8=');
    const received = await queue.receiveMessages({ numberOfMessages: 1 });
    expect(received.receivedMessageItems[0]?.messageText).toBe('aGVsbG8=');

    const table = TableClient.fromConnectionString(azurite.connectionString, 'probe', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(42);
  });

  it("two files' accounts on the shared Azurite do not see each other's queues, tables or messages", async () => {
    const [a, b] = await Promise.all([startTestAzurite(), startTestAzurite()]);
    try {
      expect(a.connectionString).not.toBe(b.connectionString);
      await QueueServiceClient.fromConnectionString(a.connectionString).getQueueClient('mine').create();
      await TableClient.fromConnectionString(a.connectionString, 'mine', {
        allowInsecureConnection: true,
      }).createTable();
      const other = QueueServiceClient.fromConnectionString(b.connectionString);
      expect(await other.getQueueClient('mine').exists()).toBe(false);
      const names: string[] = [];
      for await (const q of other.listQueues()) names.push(q.name);
      expect(names).toEqual([]);
      // The same name is free in the other account, and empty there.
      await other.getQueueClient('mine').create();
      await QueueServiceClient.fromConnectionString(a.connectionString).getQueueClient('mine').sendMessage('YQ==');
      const peeked = await other.getQueueClient('mine').peekMessages({ numberOfMessages: 1 });
      expect(peeked.peekedMessageItems).toEqual([]);
      await TableClient.fromConnectionString(b.connectionString, 'mine', {
        allowInsecureConnection: true,
      }).createTable();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('keeps data across a restart on the same ports when on disk', async () => {
    azurite = await startTestAzurite({ onDisk: true });
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('durable');
    await queue.createIfNotExists();
    await queue.sendMessage('b25l');
    const table = TableClient.fromConnectionString(azurite.connectionString, 'durable', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 7 });

    const before = { queue: azurite.queuePort, table: azurite.tablePort };
    await azurite.restart();
    expect({ queue: azurite.queuePort, table: azurite.tablePort }).toEqual(before);

    const peeked = await queue.peekMessages({ numberOfMessages: 1 });
    expect(peeked.peekedMessageItems[0]?.messageText).toBe('b25l');
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(7);
  });

  it('refuses connections after stop', async () => {
    azurite = await startTestAzurite({ own: true });
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString, {
      retryOptions: { maxTries: 1 },
    }).getQueueClient('gone');
    await azurite.stop();
    await expect(queue.createIfNotExists()).rejects.toThrow();
  });
});
