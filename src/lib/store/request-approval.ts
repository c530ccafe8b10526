// Approval on the request row: asked at creation (the request waits in `awaiting_approval`), then decided once by an
// approver, or lapsed when its window ends. The decision and its audit row are one transaction; a rejected or lapsed
// request then ends every item with that outcome (no Graph call was ever made for them).

import type { TransactionAction } from '@azure/data-tables';
import {
  approvalLapsed,
  approvalSealText,
  callerOf,
  type Approval,
  type ApprovalDecision,
  type Requester,
} from '../domain/index.js';
import { auditEvent } from './audit-log.js';
import { auditToEntity, requestFromEntity } from './entities.js';
import { odataString, PENDING_PARTITION, REQUEST_ROW, requestPartition } from './keys.js';
import type { AuditEventType, StoredRequest } from './ports.js';
import { endEveryUnstarted } from './request-cancel.js';
import { clearHandOffMarker } from './request-intake.js';
import { getRequest } from './request-reads.js';
import { isRace, MAX_RACE_RETRIES, nowIso, raceBackoff, type TableContext } from './table-context.js';

const auditTypes: Record<ApprovalDecision | 'expired', AuditEventType> = {
  approved: 'RequestApproved',
  rejected: 'RequestRejected',
  expired: 'ApprovalExpired',
};

export async function decideApproval(
  ctx: TableContext,
  requestId: string,
  decision: ApprovalDecision | 'expired',
  by?: Requester,
  comment?: string,
): Promise<{ request: StoredRequest; decided: boolean } | undefined> {
  await ctx.ensureTable();
  let decided: StoredRequest | undefined;
  for (let attempt = 0; attempt < MAX_RACE_RETRIES && !decided; attempt++) {
    const entity = await ctx.getEntity(requestPartition(requestId), REQUEST_ROW);
    if (!entity) return undefined;
    const current = requestFromEntity(entity);
    if (current.phase !== 'awaiting_approval' || !current.approval) {
      // A closing that stopped half-way (crash) is finished by whoever comes by next: a repeat or the sweeper.
      if (current.phase === 'closed') await closeOut(ctx, current);
      return { request: current, decided: false };
    }
    if (decision !== 'expired' && approvalLapsed(current.approval, ctx.now())) {
      // Too late to decide: the approval lapses now, whoever asked; the caller sees `expired` and decided: false.
      const lapsed = await decideApproval(ctx, requestId, 'expired');
      return lapsed && { request: lapsed.request, decided: false };
    }
    const at = nowIso(ctx);
    const approval: Approval = {
      ...current.approval,
      state: decision,
      decidedAt: at,
      // The API shows who decided: the owner key only (the address and token id stay in the audit row).
      ...(by ? { decidedBy: callerOf(by) } : {}),
      ...(comment ? { comment } : {}),
      // The worker acts on an approved request only with this seal (src/lib/domain/item-seal.ts).
      ...(decision === 'approved' && by?.objectId && ctx.sealer
        ? { seal: ctx.sealer.seal(approvalSealText(requestId, by.objectId, at)) }
        : {}),
    };
    const patch = {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      phase: decision === 'approved' ? 'accepted' : 'closed',
      approval: JSON.stringify(approval),
      updatedAt: at,
    };
    const audit = auditEvent(ctx, auditTypes[decision], current, {
      itemCount: current.itemCount,
      ...(by ? { actor: by } : {}),
      ...(comment ? { note: comment } : {}),
    });
    const actions: TransactionAction[] = [
      ['update', patch, 'Merge', { etag: String(entity.etag) }],
      ['create', auditToEntity(requestPartition(requestId), audit)],
    ];
    try {
      await ctx.client.submitTransaction(actions);
      decided = requestFromEntity({ ...entity, ...patch });
    } catch (e) {
      if (!isRace(e)) throw e;
      await raceBackoff(attempt);
    }
  }
  if (!decided) throw new Error(`request ${requestId}: too many concurrent updates`);
  if (decision !== 'approved') await closeOut(ctx, decided);
  return { request: decided, decided: true };
}

/** A closed request: every item ends with the approval's outcome, then its hand-off marker goes (in that order). */
async function closeOut(ctx: TableContext, request: StoredRequest): Promise<void> {
  const outcome = request.cancelledAt ? 'cancelled' : request.approval?.state === 'rejected' ? 'rejected' : 'expired';
  await endEveryUnstarted(ctx, request, outcome);
  await clearHandOffMarker(ctx, request.id);
}

/**
 * Requests awaiting approval whose window has ended, and closed ones whose closing stopped half-way, found through
 * their hand-off markers.
 */
export async function listLapsedApprovals(ctx: TableContext, limit = 100): Promise<readonly StoredRequest[]> {
  await ctx.ensureTable();
  const now = ctx.now().getTime();
  const found: StoredRequest[] = [];
  const markers = ctx.client.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq ${odataString(PENDING_PARTITION)}` },
  });
  for await (const marker of markers) {
    if (found.length >= limit) break;
    if (typeof marker.approvalExpiresAt !== 'string') continue;
    const request = await getRequest(ctx, String(marker.rowKey));
    const lapsed = Date.parse(marker.approvalExpiresAt) <= now && request?.phase === 'awaiting_approval';
    if (request && (lapsed || request.phase === 'closed')) found.push(request);
  }
  return found;
}
