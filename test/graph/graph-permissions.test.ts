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

  it('is the set issues 12 and 18 settle on: the guard reads roles, groups and PIM; the TAP policy is read', () => {
    expect([...workerGraphPermissions].sort()).toEqual([
      'GroupMember.Read.All',
      'Policy.Read.AuthenticationMethod',
      'PrivilegedEligibilitySchedule.Read.AzureADGroup',
      'RoleManagement.Read.Directory',
      'User.Read.All',
      'User.RevokeSessions.All',
      'UserAuthenticationMethod.ReadWrite.All',
    ]);
  });
});
