/**
 * How directory objects look inside directoryObject collections (memberOf, ownedObjects, $expand=principal), including
 * the documented "limited information returned for inaccessible member objects" (concepts/permissions-overview.md):
 * without a permission that reads groups, a group comes back with its `@odata.type` and `id` and every other property
 * null, so a caller holding only User.Read.All cannot see `isAssignableToRole`.
 */
import type { GraphContext } from '../graph-types.js';
import { GRANTS } from '../state/permissions.js';
import type { GroupState, UserState } from '../state/tenant-state.js';

export const GROUP_PROPERTIES = [
  'id',
  'deletedDateTime',
  'createdDateTime',
  'description',
  'displayName',
  'groupTypes',
  'isAssignableToRole',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'visibility',
] as const;

const canReadGroups = (ctx: GraphContext): boolean => GRANTS.groupRead.some((p) => ctx.caller.roles.has(p));

export function groupObject(ctx: GraphContext, g: GroupState): Record<string, unknown> {
  const full: Record<string, unknown> = {
    '@odata.type': '#microsoft.graph.group',
    id: g.id,
    deletedDateTime: null,
    createdDateTime: '2024-01-15T09:00:00Z',
    description: null,
    displayName: g.displayName,
    groupTypes: [],
    // Groups created without the flag report null, role-assignable ones true (resources/group.md).
    isAssignableToRole: g.isAssignableToRole ? true : null,
    mail: null,
    mailEnabled: false,
    mailNickname: g.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || g.id.slice(0, 8),
    securityEnabled: true,
    visibility: null,
  };
  if (canReadGroups(ctx)) return full;
  const limited: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(full)) {
    limited[k] = k === '@odata.type' || k === 'id' ? v : Array.isArray(v) ? [] : null;
  }
  return limited;
}

export function userObject(u: UserState): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.user',
    id: u.id,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled,
    userType: u.userType,
    mail: u.mail,
  };
}

/** A user, group or administrative unit by id (null when nothing has that id, as for a deleted principal). */
export function directoryObjectFor(ctx: GraphContext, id: string): Record<string, unknown> | null {
  const key = id.toLowerCase();
  const user = ctx.state.users.get(key);
  if (user) return userObject(user);
  const group = ctx.state.groups.get(key);
  if (group) return groupObject(ctx, group);
  const au = ctx.state.administrativeUnits.get(key);
  if (au) return { '@odata.type': '#microsoft.graph.administrativeUnit', id: au.id, displayName: au.displayName };
  return null;
}
