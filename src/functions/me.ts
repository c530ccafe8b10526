// GET /api/me: who the service sees the caller as (tenant, application, object id, app or person, app roles), so an
// admin or an integration can check its set-up before the first reset (the CLI's `whoami`). Ids only, never a name,
// UPN or e-mail address (domain/requester.ts). No role is needed: a caller without roles learns exactly that.
import { apiRoles } from '../lib/domain/index.js';
import { json } from '../lib/http/respond.js';
import type { HttpHandler } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';
import type { ResetsHttpDeps } from './resets-submit.js';

export const meRoute = {
  name: 'me',
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'me',
} as const;

export function makeMeHandler(deps: Pick<ResetsHttpDeps, 'verifier'>): HttpHandler {
  return withProblems('me', async (request) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    const { identity } = principal;
    // Only the service's own roles: a token can carry other applications' roles, which mean nothing here.
    const roles = apiRoles.filter((role) => principal.roles.includes(role));
    return json(200, {
      tenantId: identity.tenantId,
      appId: identity.appId,
      ...(identity.objectId ? { objectId: identity.objectId } : {}),
      identityType: identity.identityType,
      roles,
    });
  });
}
