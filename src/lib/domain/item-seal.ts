// Item seals: how the worker knows a stored item was created by the intake's API path, not written into storage by
// someone else (docs/security.md, "Forged work"). The intake MACs each chunk of targets it stores, bound to the
// request fields the worker acts on, and MACs an approval when it records one; the worker checks both before it
// claims an item, and acts only on the sealed copy of the target. The key (ITEM_SEAL_KEY) is held by the two apps
// only; whoever can write storage but not read that key cannot make work the worker will do.

import { canonicalJson } from './canonical-json.js';
import type { ResetOptions } from './reset-contract.js';
import type { ResetReason } from './reset-request.js';

/** Computes and checks seals; the HMAC adapter (src/lib/seal) implements it. */
export interface ItemSealer {
  /** The seal of a text under the current key. */
  seal(text: string): string;
  /** Whether `seal` is the text's seal under the current key or the previous one (rotation). */
  verify(text: string, seal: string): boolean;
}

/** The request fields a seal binds every chunk to: a forged or edited request row breaks its chunks' seals. */
export interface SealedRequestFields {
  readonly requestId: string;
  readonly tenantId: string;
  readonly appId: string;
  readonly objectId?: string;
  readonly options: ResetOptions;
  readonly source: 'json' | 'csv';
  readonly itemCount: number;
  readonly createdAt: string;
  /** Whether the request was stored waiting for approval: then the worker also needs a sealed approval. */
  readonly approvalRequired: boolean;
}

/** One target as the intake stored it. */
export interface SealedTarget {
  readonly userKey: string;
  readonly ticket: string;
  readonly reason: ResetReason;
  readonly requestedBy?: string;
}

/** A chunk of targets (items `first` … `first + targets.length - 1`) with its seal. */
export interface SealedChunk {
  readonly first: number;
  readonly targets: readonly SealedTarget[];
  /** Absent on rows written before seals existed, or forged without one. */
  readonly seal?: string;
}

/** The bound fields of a stored request (the row the intake wrote, or the one the worker reads back). */
export const sealedRequestFields = (request: {
  readonly id: string;
  readonly requester: { readonly tenantId: string; readonly appId: string; readonly objectId?: string };
  readonly options: ResetOptions;
  readonly source: 'json' | 'csv';
  readonly itemCount: number;
  readonly createdAt: string;
  readonly approval?: unknown;
}): SealedRequestFields => ({
  requestId: request.id,
  tenantId: request.requester.tenantId,
  appId: request.requester.appId,
  ...(request.requester.objectId ? { objectId: request.requester.objectId } : {}),
  options: request.options,
  source: request.source,
  itemCount: request.itemCount,
  createdAt: request.createdAt,
  approvalRequired: request.approval !== undefined,
});

export const chunkSealText = (request: SealedRequestFields, first: number, targets: readonly SealedTarget[]): string =>
  canonicalJson({ kind: 'mfa-reset/chunk', v: 1, request, first, targets });

/** The approval a worker needs for a request stored waiting for one: who approved it and when. */
export const approvalSealText = (requestId: string, decidedByObjectId: string, decidedAt: string): string =>
  canonicalJson({ kind: 'mfa-reset/approval', v: 1, requestId, state: 'approved', decidedByObjectId, decidedAt });

export type SealRefusal =
  /** The chunk has no seal, or one that does not match its contents and its request. */
  | 'chunk_not_sealed'
  /** The item's stored state names another target than the sealed chunk. */
  | 'item_differs_from_sealed_target'
  /** The request needed approval and carries no sealed approval. */
  | 'approval_not_sealed';

/** A stored request as the worker reads it back: the bound fields and the approval, if any. */
export type SealedRequest = Parameters<typeof sealedRequestFields>[0] & {
  readonly approval?: {
    readonly state: string;
    readonly decidedAt?: string;
    readonly decidedBy?: { readonly objectId?: string };
    readonly seal?: string;
  };
};

/**
 * Checks the chunk holding the item about to be worked on, and the request's approval, against their seals.
 * Undefined: the item may be worked on, as the sealed target says (the caller acts on the chunk's copy).
 */
export function sealRefusal(
  sealer: ItemSealer,
  request: SealedRequest,
  chunk: SealedChunk,
  index: number,
  item: SealedTarget,
): SealRefusal | undefined {
  const bound = sealedRequestFields(request);
  if (!chunk.seal || !sealer.verify(chunkSealText(bound, chunk.first, chunk.targets), chunk.seal)) {
    return 'chunk_not_sealed';
  }
  const target = chunk.targets[index - chunk.first];
  if (!target || !sameTarget(target, item)) return 'item_differs_from_sealed_target';
  if (bound.approvalRequired) {
    const { approval } = request;
    const decider = approval?.decidedBy?.objectId;
    if (approval?.state !== 'approved' || !approval.seal || !approval.decidedAt || !decider) {
      return 'approval_not_sealed';
    }
    if (!sealer.verify(approvalSealText(bound.requestId, decider, approval.decidedAt), approval.seal)) {
      return 'approval_not_sealed';
    }
  }
  return undefined;
}

const sameTarget = (a: SealedTarget, b: SealedTarget): boolean =>
  a.userKey === b.userKey &&
  a.ticket === b.ticket &&
  a.reason === b.reason &&
  (a.requestedBy ?? '') === (b.requestedBy ?? '');
