// Before the worker claims an item it checks, from storage it does not trust (the intake can write it too):
// - the item and its request pass the intake's own validators (a row written around the API may hold anything);
// - the chunk of targets carries the intake's seal, bound to the request as stored now, the item names the sealed
//   target, and a request stored waiting for approval carries a sealed approval (src/lib/domain/item-seal.ts).
// An item that fails either is never worked on: it ends `failed` with the reason, and the operator is alerted.
import {
  normalizeUserKey,
  resetReasons,
  sealRefusal,
  type ItemSealer,
  type ResetFailure,
  type SealedTarget,
} from '../domain/index.js';
import { isTicket, optionsSchema } from '../requests/fields.js';
import type { StateStore, StoredItem, StoredRequest } from '../store/ports.js';

export type ItemCheck =
  | { readonly ok: true; readonly target: SealedTarget }
  | { readonly ok: false; readonly failure: ResetFailure; readonly detail: string };

/** The first rule of the intake's that the stored item or request breaks, by field name (never the value). */
export function invalidField(request: StoredRequest, item: SealedTarget): string | undefined {
  if (normalizeUserKey(item.userKey) !== item.userKey) return 'user';
  if (!isTicket(item.ticket)) return 'ticket';
  if (!(resetReasons as readonly string[]).includes(item.reason)) return 'reason';
  if (item.requestedBy !== undefined && normalizeUserKey(item.requestedBy) !== item.requestedBy) return 'requestedBy';
  if (!optionsSchema.safeParse(request.options).success) return 'options';
  return undefined;
}

const refused = (code: string, message: string, detail: string): ItemCheck => ({
  ok: false,
  failure: { code, message },
  detail,
});

export async function checkItem(
  store: Pick<StateStore, 'getSealedChunk'>,
  sealer: ItemSealer | undefined,
  request: StoredRequest,
  item: StoredItem,
): Promise<ItemCheck> {
  const field = invalidField(request, item);
  if (field) {
    return refused(
      'item_invalid',
      `The stored item breaks the API's rules (${field}); it was not acted on. Submit the reset again.`,
      `invalid_${field}`,
    );
  }
  const chunk = sealer ? await store.getSealedChunk?.(item.requestId, item.index) : undefined;
  const refusal = !sealer
    ? 'no_sealer'
    : !chunk
      ? 'chunk_missing'
      : sealRefusal(sealer, request, chunk, item.index, item);
  if (refusal || !chunk) {
    return refused(
      'item_not_authentic',
      'The stored item does not carry a valid seal from the intake, so it was not created through the API (or was ' +
        'changed since); it was not acted on. Submit the reset again, and tell the operator.',
      refusal ?? 'chunk_missing',
    );
  }
  const target = chunk.targets[item.index - chunk.first];
  return target
    ? { ok: true, target }
    : refused('item_not_authentic', 'The stored item has no sealed target.', 'no_target');
}
