/** Maps a Graph path (after the version) to its handler. Unknown segments get Graph's 400 "Resource not found for the segment". */
import { graphError, methodNotAllowed, segmentNotFound } from './errors.js';
import type { GraphContext, GraphResponse } from './graph-types.js';
import { applications } from './routes/applications.js';
import { delegatedAdminCheck } from './routes/delegated-admin.js';
import { groups } from './routes/groups.js';
import { memberOf, ownedObjects } from './routes/memberships.js';
import { methodsRoot, perType } from './routes/methods.js';
import { privilegedAccessGroup } from './routes/pim-groups.js';
import { roleManagement } from './routes/roles.js';
import { isServicePrincipalAdmin, servicePrincipalAdmin } from './routes/service-principal-admin.js';
import { servicePrincipals } from './routes/service-principals.js';
import { requirements, signInPreferences } from './routes/sign-in-preferences.js';
import { authenticationMethodsPolicy, createTap } from './routes/tap.js';
import { getUser, revokeSignInSessions } from './routes/users.js';
import { KIND_BY_SEGMENT } from './state/method-types.js';

const notImplemented = (ctx: GraphContext): GraphResponse =>
  graphError(ctx.req, 501, 'NotImplemented', 'The Graph emulator does not implement this request.');

export function routeGraph(ctx: GraphContext): GraphResponse {
  const s = ctx.req.segments;
  const [root, a, b, c, d, e, f] = s;
  switch (root) {
    case 'users': {
      if (a === undefined || a === '') return notImplemented(ctx);
      if (b === undefined)
        return ctx.req.method === 'GET' ? getUser(ctx, a) : methodNotAllowed(ctx.req, ctx.req.method);
      if (b === 'revokeSignInSessions' && c === undefined) return revokeSignInSessions(ctx, a);
      if ((b === 'transitiveMemberOf' || b === 'memberOf') && d === undefined) {
        return memberOf(ctx, a, b === 'transitiveMemberOf', c);
      }
      if (b === 'ownedObjects' && d === undefined) return ownedObjects(ctx, a, c);
      if (b !== 'authentication') return segmentNotFound(ctx.req, b);
      if (c === undefined) return notImplemented(ctx);
      const refused = delegatedAdminCheck(ctx, a, c);
      if (refused) return refused;
      if (c === 'methods') return e === undefined ? methodsRoot(ctx, a, d) : segmentNotFound(ctx.req, e);
      if (c === 'signInPreferences' && d === undefined) return signInPreferences(ctx, a);
      if (c === 'requirements' && d === undefined) return requirements(ctx, a);
      if (c === 'temporaryAccessPassMethods' && d === undefined && ctx.req.method === 'POST') return createTap(ctx, a);
      if (KIND_BY_SEGMENT.has(c)) {
        if (f !== undefined || (e !== undefined && e !== '$ref')) return segmentNotFound(ctx.req, f ?? e);
        return perType(ctx, a, c, d, e === '$ref');
      }
      return segmentNotFound(ctx.req, c);
    }
    case 'roleManagement':
      if (a !== 'directory' || d !== undefined) return segmentNotFound(ctx.req, d ?? a ?? 'roleManagement');
      return roleManagement(ctx, b, c);
    case 'identityGovernance':
      if (a !== 'privilegedAccess' || b !== 'group') return segmentNotFound(ctx.req, b ?? a ?? root);
      return privilegedAccessGroup(ctx, c, d);
    case 'groups':
      if (e !== undefined) return segmentNotFound(ctx.req, e);
      return groups(ctx, a === '' ? undefined : a, b, c);
    case 'policies':
      if (d !== undefined) return segmentNotFound(ctx.req, d);
      return authenticationMethodsPolicy(ctx, a, b, c);
    case 'servicePrincipals':
      if (d !== undefined) return segmentNotFound(ctx.req, d);
      if (isServicePrincipalAdmin(ctx.req.method, a, b)) return servicePrincipalAdmin(ctx, a, b, c);
      return servicePrincipals(ctx, a, b, c);
    default:
      // applications, applications/{id} and applications({alternate key}='…')
      if (root === 'applications' || root?.startsWith('applications(')) return applications(ctx, root, a, b);
      return segmentNotFound(ctx.req, root ?? '');
  }
}
