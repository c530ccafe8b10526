// The port of the append-only audit record (the worker writes it; the CLI reads it). One chain per request.
import type { ChainEvent } from './audit-chain.js';

export interface AuditRecordAppend {
  /** Entries written by this call. */
  readonly appended: number;
  /** Events already in the chain (same auditId): re-shipping is a no-op. */
  readonly alreadyRecorded: number;
}

export interface AuditRecordRead {
  /** Every line of every part, in order (without newlines). */
  readonly lines: readonly string[];
  /** Blob names read, in order. */
  readonly parts: readonly string[];
}

export interface AuditRecord<E extends ChainEvent = ChainEvent> {
  /** Chains and appends the events not yet in the request's record, in the given order. */
  append(requestId: string, events: readonly E[]): Promise<AuditRecordAppend>;
  read(requestId: string): Promise<AuditRecordRead>;
  /** Request ids whose record changed at or after `since`. */
  listChangedSince(since: Date): Promise<readonly string[]>;
}
