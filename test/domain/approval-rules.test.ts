// Four eyes by object id: the rules the approve/reject route applies (src/lib/domain/approval.ts). The emulator always
// puts an `oid` in the tokens it mints, as Entra ID does, so the "no oid" refusal is proven here, on the rule itself.
import { describe, expect, it } from 'vitest';
import { approvalLapsed, deciderRefusal, needsApproval } from '../../src/lib/domain/index.js';

const tenantId = '11111111-1111-4111-8111-111111111111';
const submitter = { tenantId, appId: 'a', objectId: 'AAAAAAAA-0000-4000-8000-000000000001' };

describe('who may decide', () => {
  it('refuses the submitter itself, whatever the case of its object id', () => {
    expect(deciderRefusal(submitter, { tenantId, appId: 'b', objectId: submitter.objectId.toLowerCase() })).toBe(
      'self_approval',
    );
  });

  it('refuses when either side has no object id: nobody can tell them apart', () => {
    expect(deciderRefusal(submitter, { tenantId, appId: 'b' })).toBe('identity_unverifiable');
    expect(deciderRefusal({ tenantId, appId: 'a' }, { tenantId, appId: 'b', objectId: submitter.objectId })).toBe(
      'identity_unverifiable',
    );
  });

  it('lets another identity decide, even through the same client application', () => {
    expect(
      deciderRefusal(submitter, { tenantId, appId: 'a', objectId: 'BBBBBBBB-0000-4000-8000-000000000002' }),
    ).toBeUndefined();
  });
});

describe('what waits and when it lapses', () => {
  it('holds every CSV that is not a dry run and large JSON requests; never a dry run; 0 turns it off', () => {
    expect(needsApproval({ minUsers: 25 }, { users: 1, source: 'csv', dryRun: false })).toBe(true);
    expect(needsApproval({ minUsers: 25 }, { users: 25, source: 'json', dryRun: false })).toBe(true);
    expect(needsApproval({ minUsers: 25 }, { users: 24, source: 'json', dryRun: false })).toBe(false);
    expect(needsApproval({ minUsers: 25 }, { users: 500, source: 'csv', dryRun: true })).toBe(false);
    expect(needsApproval({ minUsers: 0 }, { users: 500, source: 'csv', dryRun: false })).toBe(false);
  });

  it('lapses a pending approval at its expiry, never a decided one', () => {
    const approval = {
      state: 'pending',
      requestedAt: '2026-12-01T00:00:00Z',
      expiresAt: '2026-12-02T00:00:00Z',
    } as const;
    expect(approvalLapsed(approval, new Date('2026-12-01T23:59:59Z'))).toBe(false);
    expect(approvalLapsed(approval, new Date('2026-12-02T00:00:00Z'))).toBe(true);
    expect(approvalLapsed({ ...approval, state: 'approved' }, new Date('2026-12-03T00:00:00Z'))).toBe(false);
  });
});
