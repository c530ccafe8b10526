// ResetQueue on Azure Storage queues (@azure/storage-queue), in the encoding the Functions host reads (base64).
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { mapBounded, range } from '../concurrency/bounded.js';
import { deadLetterQueueName, type DeadLetterEntry, type DeadLetterQueue } from './dead-letter.js';
import { encodeMessage } from './messages.js';
import { queueActivity } from './queue-activity.js';
import {
  queueNames,
  type ResetBatchMessage,
  type ResetCallbackMessage,
  type ResetItemMessage,
  type ResetQueue,
} from './reset-queue.js';

export interface StorageResetQueueOptions {
  readonly service: QueueServiceClient;
  /** Items per `reset-batches` message (the fan-out function expands one batch per invocation). */
  readonly itemsPerBatch?: number;
  /** Requests with at most this many items skip the fan-out and go straight to `reset-items`. */
  readonly directLimit?: number;
  /** Concurrent sends per call. */
  readonly parallelism?: number;
}

/**
 * Queues the app uses, poison twins and the dead-letter queue included (the host would create the twins on first
 * poison; we create them up front).
 */
export const allQueueNames = [
  queueNames.batches,
  queueNames.items,
  queueNames.callbacks,
  `${queueNames.batches}-poison`,
  `${queueNames.items}-poison`,
  `${queueNames.callbacks}-poison`,
  deadLetterQueueName,
] as const;

/** Storage's ceiling for a visibility timeout: 7 days. */
const maxVisibilitySeconds = 7 * 24 * 3600;
/** Messages never expire: an expired item message would leave its item pending forever (e.g. a long kill switch). */
const neverExpires = -1;

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number'
    ? error.statusCode
    : undefined;
}

export class StorageResetQueue implements ResetQueue, DeadLetterQueue {
  readonly #service: QueueServiceClient;
  readonly #itemsPerBatch: number;
  readonly #directLimit: number;
  readonly #parallelism: number;
  #ready: Promise<void> | undefined;

  constructor(options: StorageResetQueueOptions) {
    this.#service = options.service;
    this.#itemsPerBatch = options.itemsPerBatch ?? 500;
    this.#directLimit = options.directLimit ?? 100;
    this.#parallelism = options.parallelism ?? 32;
    if (this.#itemsPerBatch < 1 || this.#directLimit < 0 || this.#parallelism < 1) {
      throw new RangeError('itemsPerBatch and parallelism must be at least 1, directLimit at least 0');
    }
  }

  /** Creates every queue the app uses if missing (at start-up; infra normally pre-creates them). Safe to repeat. */
  ensureQueues(): Promise<void> {
    this.#ready ??= Promise.all(
      // In Azure the queues are provisioned by infra/ and the identities hold only message roles (Sender, Processor),
      // which may not create queues: Azure answers 403 even for an existing queue, so a 403 means "use them as they are".
      allQueueNames.map((name) =>
        this.#service
          .getQueueClient(name)
          .createIfNotExists()
          .catch((error: unknown) => {
            if (typeof error === 'object' && error !== null && 'statusCode' in error && error.statusCode === 403)
              return;
            throw error;
          }),
      ),
    ).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  async submit(requestId: string, itemCount: number): Promise<void> {
    if (itemCount <= 0) return;
    if (itemCount <= this.#directLimit) {
      await this.enqueueItems(requestId, 0, itemCount);
      return;
    }
    const batches = Math.ceil(itemCount / this.#itemsPerBatch);
    const queue = this.#service.getQueueClient(queueNames.batches);
    await mapBounded(range(0, batches), this.#parallelism, async (batch) => {
      const from = batch * this.#itemsPerBatch;
      const body: ResetBatchMessage = { v: 1, requestId, from, to: Math.min(itemCount, from + this.#itemsPerBatch) };
      await this.#send(queue, encodeMessage(body));
    });
    queueActivity.notify(queueNames.batches);
  }

  async enqueueItems(requestId: string, from: number, to: number): Promise<void> {
    if (to <= from) return;
    const queue = this.#service.getQueueClient(queueNames.items);
    await mapBounded(range(from, to), this.#parallelism, async (item) => {
      const body: ResetItemMessage = { v: 1, requestId, item };
      await this.#send(queue, encodeMessage(body));
    });
    queueActivity.notify(queueNames.items);
  }

  async deferItem(requestId: string, item: number, delaySeconds: number): Promise<void> {
    const visibilityTimeout = Math.min(maxVisibilitySeconds, Math.max(0, Math.ceil(delaySeconds)));
    const body: ResetItemMessage = { v: 1, requestId, item };
    await this.#send(this.#service.getQueueClient(queueNames.items), encodeMessage(body), visibilityTimeout);
  }

  async enqueueCallback(requestId: string, attempt: number, delaySeconds: number): Promise<void> {
    const visibilityTimeout = Math.min(maxVisibilitySeconds, Math.max(0, Math.ceil(delaySeconds)));
    const body: ResetCallbackMessage = { v: 1, requestId, ...(attempt > 0 ? { attempt } : {}) };
    await this.#send(this.#service.getQueueClient(queueNames.callbacks), encodeMessage(body), visibilityTimeout);
    if (visibilityTimeout === 0) queueActivity.notify(queueNames.callbacks);
  }

  /** Plain JSON (no base64): no function reads this queue; operators do, with any queue tool. */
  async deadLetter(entry: DeadLetterEntry): Promise<void> {
    await this.#send(this.#service.getQueueClient(deadLetterQueueName), JSON.stringify(entry));
  }

  async #send(queue: QueueClient, text: string, visibilityTimeout?: number): Promise<void> {
    const options = { messageTimeToLive: neverExpires, ...(visibilityTimeout ? { visibilityTimeout } : {}) };
    try {
      await queue.sendMessage(text, options);
    } catch (error) {
      // The queue does not exist yet (a fresh emulator, or an operator deleted it): create it once and retry. Not done
      // up front on every send: a least-privilege identity (Message Sender) may not be allowed to create queues.
      if (statusOf(error) !== 404) throw error;
      await queue.createIfNotExists();
      await queue.sendMessage(text, options);
    }
  }
}

export const createStorageResetQueue = (options: StorageResetQueueOptions): StorageResetQueue =>
  new StorageResetQueue(options);
