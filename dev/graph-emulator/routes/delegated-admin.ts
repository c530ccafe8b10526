/**
 * Graph's second check for a person's token on /users/{id}/authentication/*: besides the delegated permission (in
 * `scp`, checked by each route like an app's), the signed-in user needs a supported Microsoft Entra role, as the
 * "Microsoft Entra roles" sections of authentication-list-methods and the per-method delete pages say:
 * - reading: Global Reader, Authentication Administrator or Privileged Authentication Administrator;
 * - changing: Authentication Administrator or Privileged Authentication Administrator;
 * - an Authentication Administrator acts only on people without an admin role or with one of a few roles, and not on
 *   members or owners of role-assignable groups (entra-docs, "Privileged roles and permissions": who can reset
 *   passwords / perform sensitive actions); it cannot manage hardware OATH tokens (Authentication Administrator role
 *   description). Everyone else needs Privileged Authentication Administrator.
 * A person acting on themselves needs no role. Global Administrator may do everything. App-only tokens never come here.
 * Simplifications: only active roles at tenant scope count for the signed-in user (no administrative-unit scoping),
 * and only active roles for the target (Graph's treatment of PIM-eligible targets is not documented).
 */
import { accessDenied } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import type { UserState } from '../state/tenant-state.js';

const ROLE = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  authenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

/** Roles an Authentication Administrator may still act on ("who can reset passwords" table). */
const AUTH_ADMIN_MAY_MANAGE: ReadonlySet<string> = new Set([
  ROLE.authenticationAdministrator,
  '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', // Directory Readers
  '95e79109-95c0-4d8e-aee3-d01accf2d47b', // Guest Inviter
  '790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b', // Message Center Reader
  '966707d0-3269-4727-9be2-8c3a10f19b9d', // Password Administrator
  '4a5d8f65-41da-4de4-8968-e035b65339cf', // Reports Reader
]);

/** Active role definition ids of a user, any scope, directly or through a group. */
function activeRoles(ctx: GraphContext, user: UserState): Set<string> {
  const out = new Set<string>();
  for (const principal of [user.id, ...ctx.state.transitiveGroups(user).map((g) => g.id)]) {
    for (const a of ctx.state.privilege.assignments.get(principal)) out.add(a.roleDefinitionId);
  }
  return out;
}

/** Roles held at tenant scope, directly or through a group: what the signed-in person can use. */
function tenantRoles(ctx: GraphContext, user: UserState): Set<string> {
  return new Set(ctx.state.directoryRoleTemplates(user));
}

/** The target is beyond an Authentication Administrator: another admin role, or a role-assignable group's member/owner. */
function privilegedTarget(ctx: GraphContext, target: UserState): boolean {
  for (const r of activeRoles(ctx, target)) if (!AUTH_ADMIN_MAY_MANAGE.has(r)) return true;
  const groups = [...ctx.state.transitiveGroups(target), ...ctx.state.ownedGroups(target)];
  return groups.some((g) => g.isAssignableToRole);
}

/**
 * 403 (Graph's accessDenied on /authentication/*) when a delegated caller's person may not do this to the target;
 * undefined to let the route answer (an unknown target still gets the route's 404).
 */
export function delegatedAdminCheck(ctx: GraphContext, targetKey: string, segment: string): GraphResponse | undefined {
  const signedIn = ctx.caller.signedInUser;
  if (signedIn === undefined) return undefined;
  const target = ctx.state.findUser(targetKey);
  if (!target) return undefined;
  if (target.id === signedIn) return undefined;
  const person = ctx.state.findUser(signedIn);
  const roles = person ? tenantRoles(ctx, person) : new Set<string>();
  if (roles.has(ROLE.globalAdministrator) || roles.has(ROLE.privilegedAuthenticationAdministrator)) return undefined;
  const write = ctx.req.method !== 'GET';
  if (!write && roles.has(ROLE.globalReader)) return undefined;
  if (!roles.has(ROLE.authenticationAdministrator)) return accessDenied(ctx.req);
  if (write && segment === 'hardwareOathMethods') return accessDenied(ctx.req);
  return privilegedTarget(ctx, target) ? accessDenied(ctx.req) : undefined;
}
