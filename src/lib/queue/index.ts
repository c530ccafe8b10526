export * from './reset-queue.js';
export * from './messages.js';
export { createQueueServiceClient, queueConnectionOf, type QueueConnection } from './storage-clients.js';
export {
  StorageResetQueue,
  allQueueNames,
  createStorageResetQueue,
  type StorageResetQueueOptions,
} from './storage-reset-queue.js';
export { queueActivity } from './queue-activity.js';
export * from './dead-letter.js';
