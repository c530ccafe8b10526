// The seal rules on their own (src/lib/domain/item-seal.ts with the HMAC sealer): every field the worker acts on is
// bound, so changing any one of them breaks the seal; the end-to-end refusals are in test/security/forged-work.test.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  approvalSealText,
  chunkSealText,
  defaultResetOptions,
  sealedRequestFields,
  sealRefusal,
  type SealedRequest,
} from '../../src/lib/domain/index.js';
import { createHmacSealer } from '../../src/lib/seal/hmac-sealer.js';

const sealer = createHmacSealer({ current: randomBytes(32) });
const request: SealedRequest = {
  id: '0d6f1c52-2f7a-4a61-9a43-6a0f6f0f0001',
  requester: { tenantId: 't', appId: 'app', objectId: 'oid-1' },
  options: defaultResetOptions,
  source: 'json',
  itemCount: 2,
  createdAt: '2026-12-02T08:00:00.000Z',
};
const targets = [
  { userKey: 'a@contoso.example', ticket: 'INC1', reason: 'lost_device' as const },
  { userKey: 'b@contoso.example', ticket: 'INC1', reason: 'lost_device' as const, requestedBy: 'c@contoso.example' },
];
const chunk = { first: 0, targets, seal: sealer.seal(chunkSealText(sealedRequestFields(request), 0, targets)) };

describe('a sealed chunk', () => {
  it('passes as stored, for every target in it', () => {
    expect(sealRefusal(sealer, request, chunk, 0, targets[0])).toBeUndefined();
    expect(sealRefusal(sealer, request, chunk, 1, targets[1])).toBeUndefined();
  });

  it.each([
    ['the requester', { requester: { ...request.requester, objectId: 'oid-2' } }],
    ['the options', { options: { ...defaultResetOptions, keep: ['email' as const] } }],
    ['a dry run flag', { options: { ...defaultResetOptions, dryRun: true } }],
    ['the item count', { itemCount: 3 }],
    ['the creation time', { createdAt: '2026-12-03T08:00:00.000Z' }],
    ['the source', { source: 'csv' as const }],
    ['an approval added', { approval: { state: 'approved' } }],
  ])('breaks when %s of the request changes', (_what, change) => {
    expect(sealRefusal(sealer, { ...request, ...change }, chunk, 0, targets[0])).toBe('chunk_not_sealed');
  });

  it('breaks when a target in the chunk changes, and refuses an item that names another target', () => {
    const swapped = { ...chunk, targets: [{ ...targets[0], userKey: 'x@contoso.example' }, targets[1]] };
    expect(sealRefusal(sealer, request, swapped, 0, swapped.targets[0])).toBe('chunk_not_sealed');
    expect(sealRefusal(sealer, request, chunk, 0, targets[1])).toBe('item_differs_from_sealed_target');
    expect(sealRefusal(sealer, request, chunk, 5, targets[0])).toBe('item_differs_from_sealed_target');
    expect(sealRefusal(sealer, request, { ...chunk, seal: undefined }, 0, targets[0])).toBe('chunk_not_sealed');
  });

  it('needs a sealed approval by a named decider when the request was stored waiting for one', () => {
    const pending = { state: 'pending', requestedAt: request.createdAt, expiresAt: '2026-12-03T08:00:00.000Z' };
    const waiting: SealedRequest = { ...request, approval: pending };
    const sealedChunk = { ...chunk, seal: sealer.seal(chunkSealText(sealedRequestFields(waiting), 0, targets)) };
    const decidedAt = '2026-12-02T09:00:00.000Z';
    const decidedBy = { objectId: 'oid-approver' };
    const approved = (seal?: string): SealedRequest => ({
      ...waiting,
      approval: { ...pending, state: 'approved', decidedAt, decidedBy, ...(seal ? { seal } : {}) },
    });
    const good = sealer.seal(approvalSealText(request.id, 'oid-approver', decidedAt));
    expect(sealRefusal(sealer, approved(good), sealedChunk, 0, targets[0])).toBeUndefined();
    expect(sealRefusal(sealer, approved(), sealedChunk, 0, targets[0])).toBe('approval_not_sealed');
    expect(sealRefusal(sealer, waiting, sealedChunk, 0, targets[0])).toBe('approval_not_sealed');
    const otherDecider = { ...approved(good), approval: { ...approved(good).approval!, decidedBy: { objectId: 'x' } } };
    expect(sealRefusal(sealer, otherDecider, sealedChunk, 0, targets[0])).toBe('approval_not_sealed');
  });

  it('does not verify under another key unless it is the previous key of a rotation', () => {
    const oldKey = randomBytes(32);
    const old = createHmacSealer({ current: oldKey });
    const text = chunkSealText(sealedRequestFields(request), 0, targets);
    const seal = old.seal(text);
    expect(createHmacSealer({ current: randomBytes(32) }).verify(text, seal)).toBe(false);
    expect(createHmacSealer({ current: randomBytes(32), previous: oldKey }).verify(text, seal)).toBe(true);
    expect(() => createHmacSealer({ current: randomBytes(16) })).toThrow(/at least 32 bytes/);
  });
});
