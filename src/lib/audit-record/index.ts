export { createAuditContainer } from './blob-container.js';
export { createBlobAuditRecord, type BlobAuditRecordOptions } from './blob-audit-record.js';
export {
  createAuditShipper,
  type AuditRowSource,
  type AuditShipper,
  type AuditShipperOptions,
} from './audit-shipper.js';
export { sha256Hex } from './sha256.js';
export { partName, requestIdOfPart } from './record-tail.js';
