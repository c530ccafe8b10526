// Point reads of one request or one item, as the worker and the status endpoint need them. Reading a request also
// remembers its owner, which the item transitions stamp on their audit rows.

import { itemFromEntity, requestFromEntity, rosterChunk, rosterItems } from './entities.js';
import { itemPartition, itemRow, REQUEST_ROW, requestPartition, ROSTER_ROW } from './keys.js';
import type { CallerRef, SealedChunk } from '../domain/index.js';
import type { StoredItem, StoredRequest } from './ports.js';
import type { RequestOwner, TableContext } from './table-context.js';

const MAX_CACHED_OWNERS = 10_000;

export async function getRequest(ctx: TableContext, requestId: string): Promise<StoredRequest | undefined> {
  const entity = await ctx.getEntity(requestPartition(requestId), REQUEST_ROW);
  if (!entity) return undefined;
  const request = requestFromEntity(entity);
  ctx.owners.set(request.id, {
    requester: request.requester,
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
    started: request.startedAt !== undefined,
    callback: request.callback !== undefined,
    itemCount: request.itemCount,
  });
  if (ctx.owners.size > MAX_CACHED_OWNERS) ctx.owners.delete(ctx.owners.keys().next().value as string);
  return request;
}

/** The request if `caller` created it; undefined for unknown ids and other callers' requests alike. */
export async function getRequestForCaller(
  ctx: TableContext,
  requestId: string,
  caller: CallerRef,
): Promise<StoredRequest | undefined> {
  const request = await getRequest(ctx, requestId);
  if (!request) return undefined;
  // Owner = tenant + client app + principal object id (one service principal per app; one user for user tokens).
  const owner = request.caller;
  const same =
    owner.tenantId === caller.tenantId &&
    owner.appId === caller.appId &&
    (owner.objectId ?? '') === (caller.objectId ?? '');
  return same ? request : undefined;
}

/** The request's owner, from the cache or read once (a request that vanished gets an empty owner). */
export async function requestOwner(ctx: TableContext, requestId: string): Promise<RequestOwner> {
  const cached = ctx.owners.get(requestId);
  if (cached) return cached;
  await getRequest(ctx, requestId);
  return ctx.owners.get(requestId) ?? { requester: { tenantId: '', appId: '', identityType: 'app' }, started: true };
}

export async function getItem(ctx: TableContext, requestId: string, index: number): Promise<StoredItem | undefined> {
  if (!Number.isInteger(index) || index < 0) return undefined;
  const partition = itemPartition(requestId, index);
  const entity = await ctx.getEntity(partition, itemRow(index));
  if (entity) return itemFromEntity(entity);
  // No transition yet: the item is still only in its chunk's roster.
  const roster = await ctx.getEntity(partition, ROSTER_ROW);
  return roster ? rosterItems(requestId, roster).find((i) => i.index === index) : undefined;
}

/** The chunk holding an item, as the intake stored and sealed it; undefined when the chunk has no roster row. */
export async function getSealedChunk(
  ctx: TableContext,
  requestId: string,
  index: number,
): Promise<SealedChunk | undefined> {
  if (!Number.isInteger(index) || index < 0) return undefined;
  const roster = await ctx.getEntity(itemPartition(requestId, index), ROSTER_ROW);
  return roster ? rosterChunk(roster) : undefined;
}
