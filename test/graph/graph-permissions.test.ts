import { describe, expect, it } from 'vitest';
import { graphPermissions, workerGraphPermissions } from '../../src/lib/graph/graph-permissions.js';

const uncoveredBy = (held: ReadonlySet<string>): string[] =>
  Object.entries(graphPermissions)
    .filter(([, grants]) => !grants.some((p) => held.has(p)))
    .map(([call]) => call);

describe('the worker permission set', () => {
  it('grants every Graph call the worker makes', () => {
    expect(uncoveredBy(new Set<string>(workerGraphPermissions))).toEqual([]);
  });

  it('holds nothing no call needs (least privilege): without any one of them some call is refused', () => {
    for (const permission of workerGraphPermissions) {
      const fewer = new Set<string>(workerGraphPermissions.filter((p) => p !== permission));
      expect(uncoveredBy(fewer), `${permission} is not needed`).not.toEqual([]);
    }
  });

  it('is the set issue 12 settles on: the guard reads roles, groups and PIM for Groups eligibility', () => {
    expect([...workerGraphPermissions].sort()).toEqual([
      'GroupMember.Read.All',
      'PrivilegedEligibilitySchedule.Read.AzureADGroup',
      'RoleManagement.Read.Directory',
      'User.Read.All',
      'User.RevokeSessions.All',
      'UserAuthenticationMethod.ReadWrite.All',
    ]);
  });
});
