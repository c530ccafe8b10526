export * from './ports.js';
export { createTableStore } from './table-store.js';
export type { TableStore, TableStoreOptions } from './table-store.js';
export { cachedBreaker, cachedKillSwitch, type BreakerReader, type KillSwitchReader } from './kill-switch-cache.js';
export { createTableClient, type TableStorage } from './table-client.js';
export { CHUNK_SIZE, DEFAULT_TABLE_NAME } from './keys.js';
export {
  listAllAuditRows,
  listItemAuditRows,
  listRequestAuditRows,
  requestsWithAuditSince,
  tableOrder,
} from './audit-reads.js';
