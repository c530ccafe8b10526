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
    azurite = await startTestAzurite();
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString, {
      retryOptions: { maxTries: 1 },
    }).getQueueClient('gone');
    await azurite.stop();
    await expect(queue.createIfNotExists()).rejects.toThrow();
  });
});
