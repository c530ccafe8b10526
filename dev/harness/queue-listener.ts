// Runs one queue-triggered function with the semantics of the Functions host's queue listener (Storage Queues
// extension 5.x, research functions-node.md §2): batchSize per poll and at most batchSize + newBatchThreshold in
// flight; a 10-minute receive visibility renewed while the function runs; base64 decoding; poison before invoking when
// dequeueCount > maxDequeueCount and after a failure when dequeueCount >= maxDequeueCount; visibilityTimeout on
// release; randomized exponential polling backoff up to maxPollingInterval; immediate wake on notify().
import { randomUUID } from 'node:crypto';
import type { StorageQueueFunctionOptions } from '@azure/functions';
import { InvocationContext } from './functions-runtime.js';
import type { DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { QueueHostSettings } from './host-settings.js';
import { invocationLogHandler, traceContextFor, type HarnessLog } from './log.js';

/** The host dequeues with a 10-minute visibility and renews it at half that while the function runs. */
const defaultReceiveVisibilitySeconds = 600;
const minPollingIntervalMs = 100;

export interface QueueListenerOptions {
  readonly functionName: string;
  readonly options: StorageQueueFunctionOptions;
  readonly service: QueueServiceClient;
  readonly settings: QueueHostSettings;
  readonly log: HarnessLog;
  /** Called after the listener wrote to a queue (its poison twin), so that queue's listener can wake at once. */
  readonly onSent?: (queueName: string) => void;
}

export interface QueueListenerStats {
  invocations: number;
  succeeded: number;
  failed: number;
  poisoned: number;
}

function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function decode(text: string, encoding: QueueHostSettings['messageEncoding']): string | undefined {
  if (encoding === 'none') return text;
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips bad characters; the host's does not: a text that does not round-trip is not base64.
  if (bytes.toString('base64').replace(/=+$/, '') !== text.trim().replace(/=+$/, '')) return undefined;
  return bytes.toString('utf8');
}

export class QueueListener {
  readonly queueName: string;
  readonly poisonQueueName: string | undefined;
  readonly stats: QueueListenerStats = { invocations: 0, succeeded: 0, failed: 0, poisoned: 0 };
  readonly #o: QueueListenerOptions;
  readonly #queue: QueueClient;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;
  #loop: Promise<void> | undefined;
  #emptyPolls = 0;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(options: QueueListenerOptions) {
    this.#o = options;
    this.queueName = options.options.queueName;
    this.#queue = options.service.getQueueClient(this.queueName);
    // No poison queue for a queue that is itself a poison queue, or when the name would be too long (host rules).
    const poison = `${this.queueName}-poison`;
    this.poisonQueueName = this.queueName.endsWith('-poison') || poison.length > 63 ? undefined : poison;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Poll now (something was just sent to this queue). */
  notify(): void {
    this.#emptyPolls = 0;
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops polling and waits for running invocations to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #run(): Promise<void> {
    const { batchSize, newBatchThreshold } = this.#o.settings;
    const receiveVisibilitySeconds = this.#o.settings.receiveVisibilitySeconds ?? defaultReceiveVisibilitySeconds;
    while (!this.#stopped) {
      // After a batch, the host polls again only once in-flight work has dropped to newBatchThreshold.
      while (this.#inFlight.size > newBatchThreshold && !this.#stopped) await Promise.race(this.#inFlight);
      if (this.#stopped) break;
      this.#woken = false;
      let messages: DequeuedMessageItem[] = [];
      try {
        const received = await this.#queue.receiveMessages({
          numberOfMessages: batchSize,
          visibilityTimeout: receiveVisibilitySeconds,
        });
        messages = received.receivedMessageItems;
      } catch (error) {
        // A missing queue or a storage error: back off like an empty poll (the host waits for the queue to exist).
        this.#o.log('debug', { event: 'queue_poll_failed', queue: this.queueName, error: String(error) });
      }
      if (messages.length > 0) {
        this.#emptyPolls = 0;
        for (const message of messages) {
          const task = this.#process(message)
            .catch((error: unknown) =>
              this.#o.log('error', { event: 'message_processing_failed', queue: this.queueName, error: String(error) }),
            )
            .finally(() => this.#inFlight.delete(task));
          this.#inFlight.add(task);
        }
        continue;
      }
      if (this.#woken) continue;
      this.#emptyPolls += 1;
      await this.#sleep(this.#nextDelay());
    }
  }

  /** RandomizedExponentialBackoffStrategy(min 100 ms, max maxPollingInterval). */
  #nextDelay(): number {
    const jitter = 0.8 + Math.random() * 0.4;
    const delay = minPollingIntervalMs * 2 ** (this.#emptyPolls - 1) * jitter;
    return Math.min(this.#o.settings.maxPollingIntervalMs, Math.max(minPollingIntervalMs, delay));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  async #process(message: DequeuedMessageItem): Promise<void> {
    const { settings, log, functionName } = this.#o;
    const receiveVisibilitySeconds = settings.receiveVisibilitySeconds ?? defaultReceiveVisibilitySeconds;
    let popReceipt = message.popReceipt;
    const text = decode(message.messageText, settings.messageEncoding);
    if (text === undefined) {
      log('warn', {
        event: 'message_decoding_failed',
        queue: this.queueName,
        messageId: message.messageId,
        message: 'Message decoding has failed! Check MessageEncoding settings.',
      });
      await this.#poison(message, popReceipt);
      return;
    }
    if (message.dequeueCount > settings.maxDequeueCount) {
      await this.#poison(message, popReceipt);
      return;
    }

    // Renewals are chained, and the last one is awaited before the message is settled: deleting with a pop receipt
    // that an in-flight renewal is about to replace would fail and let the message reappear.
    let renewing: Promise<void> = Promise.resolve();
    const renew = setInterval(
      () => {
        renewing = renewing.then(() =>
          this.#queue
            .updateMessage(message.messageId, popReceipt, undefined, receiveVisibilitySeconds)
            .then((r) => {
              if (r.popReceipt) popReceipt = r.popReceipt;
            })
            .catch((error: unknown) =>
              log('warn', { event: 'visibility_renewal_failed', messageId: message.messageId, error: String(error) }),
            ),
        );
      },
      (receiveVisibilitySeconds * 1000) / 2,
    );

    const entry = tryJsonParse(text);
    const metadata: Record<string, unknown> = {
      queueTrigger: text,
      dequeueCount: message.dequeueCount,
      expirationTime: message.expiresOn.toISOString(),
      id: message.messageId,
      insertionTime: message.insertedOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt,
    };
    // The host merges a JSON body's top-level keys into the binding data, overriding the built-in ones (#459).
    if (entry && typeof entry === 'object' && !Array.isArray(entry)) Object.assign(metadata, entry);

    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName,
      logHandler: invocationLogHandler(log, functionName, invocationId),
      traceContext: traceContextFor(),
      triggerMetadata: metadata,
      options: { trigger: { type: 'queueTrigger', name: 'queueItem', queueName: this.queueName } },
    });
    this.stats.invocations += 1;
    let failure: unknown;
    try {
      await this.#o.options.handler(entry, context);
    } catch (error) {
      failure = error ?? new Error('handler failed');
    } finally {
      clearInterval(renew);
      await renewing;
    }

    try {
      if (failure === undefined) {
        this.stats.succeeded += 1;
        await this.#queue.deleteMessage(message.messageId, popReceipt);
      } else {
        this.stats.failed += 1;
        log('warn', {
          event: 'function_failed',
          function: functionName,
          invocationId,
          messageId: message.messageId,
          dequeueCount: message.dequeueCount,
          error: failure instanceof Error ? failure.message : JSON.stringify(failure),
        });
        if (message.dequeueCount >= settings.maxDequeueCount) await this.#poison(message, popReceipt);
        else if (this.poisonQueueName === undefined)
          return; // left invisible: no poison queue, no hot loop
        else
          await this.#queue.updateMessage(
            message.messageId,
            popReceipt,
            undefined,
            Math.ceil(settings.visibilityTimeoutMs / 1000),
          );
      }
    } catch (error) {
      // A pop-receipt mismatch (the message was already settled elsewhere) is logged and ignored, as the host does.
      log('warn', {
        event: 'message_settle_failed',
        queue: this.queueName,
        messageId: message.messageId,
        error: String(error),
      });
    }
  }

  /** Copies the body (only the body) to <queue>-poison, then deletes the original. */
  async #poison(message: DequeuedMessageItem, popReceipt: string): Promise<void> {
    if (!this.poisonQueueName) return;
    const poison = this.#o.service.getQueueClient(this.poisonQueueName);
    await poison.createIfNotExists();
    await poison.sendMessage(message.messageText);
    await this.#queue.deleteMessage(message.messageId, popReceipt);
    this.stats.poisoned += 1;
    this.#o.log('warn', {
      event: 'message_poisoned',
      queue: this.queueName,
      poisonQueue: this.poisonQueueName,
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
    });
    this.#o.onSent?.(this.poisonQueueName);
  }
}
