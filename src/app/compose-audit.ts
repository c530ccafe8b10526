// The audit record where the worker runs: the append blob record on the audit account, and the shipper that the
// store's sink, the item reconcile and the worker's timer use. The intake is never given any of it.
import type { TableClient } from '@azure/data-tables';
import {
  createAuditContainer,
  createAuditShipper,
  createBlobAuditRecord,
  type AuditShipper,
} from '../lib/audit-record/index.js';
import { ConfigError, type AppConfig } from '../lib/config/index.js';
import type { AuditRecord } from '../lib/domain/index.js';
import {
  listItemAuditRows,
  listRequestAuditRows,
  requestsWithAuditSince,
  type AuditEvent,
  type StateStore,
} from '../lib/store/index.js';

export interface AuditRecordOptions {
  /** Part rollover threshold in bytes (tests). */
  readonly rollBytes?: number;
}

export interface ComposedAudit {
  readonly record: AuditRecord<AuditEvent>;
  readonly shipper: AuditShipper;
}

/** Builds the record and its shipper; the store is given later (it is built with the shipper as its sink). */
export function composeAudit(
  config: AppConfig,
  store: () => { readonly client: TableClient; readonly listAudit: StateStore['listAudit'] },
  options: AuditRecordOptions = {},
): ComposedAudit {
  if (!config.audit) {
    throw new ConfigError([
      {
        key: 'MfaAudit',
        message: `is required in ${config.functions} mode: the worker writes every audit event to the append-only record`,
      },
    ]);
  }
  const record = createBlobAuditRecord<AuditEvent>({
    container: createAuditContainer(config.audit),
    ...(options.rollBytes ? { rollBytes: options.rollBytes } : {}),
  });
  const shipper = createAuditShipper({
    record,
    rows: {
      listAudit: (requestId) => store().listAudit(requestId),
      listRequestAudit: (requestId) => listRequestAuditRows(store().client, requestId),
      listItemAudit: (requestId, index) => listItemAuditRows(store().client, requestId, index),
      requestsChangedSince: (since) => requestsWithAuditSince(store().client, since),
    },
  });
  return { record, shipper };
}
