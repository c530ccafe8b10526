/** GET /users/{id|upn} with $select and POST revokeSignInSessions. */
import { directoryBadRequest, methodNotAllowed } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { GRANTS } from '../state/permissions.js';
import type { UserState } from '../state/tenant-state.js';
import { json, lookupUser, odataContext, requireAny } from './common.js';

const DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

function userProperties(u: UserState): Record<string, unknown> {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    givenName: u.givenName,
    surname: u.surname,
    mail: u.mail,
    accountEnabled: u.accountEnabled,
    userType: u.userType,
    // Returned only on $select (resources/user.md); 'Accepted' stands for a B2B user who redeemed the invitation.
    externalUserState: u.external ? 'Accepted' : null,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled,
    createdDateTime: u.createdDateTime,
    signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime,
    businessPhones: [],
    mobilePhone: null,
    jobTitle: null,
    officeLocation: null,
    preferredLanguage: null,
    otherMails: [],
  };
}

const KNOWN = new Set(Object.keys(userProperties({} as UserState)));

export function getUser(ctx: GraphContext, key: string): GraphResponse {
  const denied = requireAny(ctx, GRANTS.userRead, 'directory');
  if (denied) return denied;
  const select = ctx.req.query.get('$select');
  const fields = select
    ? select
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : DEFAULT_PROPERTIES;
  for (const f of fields) {
    if (!KNOWN.has(f))
      return directoryBadRequest(ctx.req, `Could not find a property named '${f}' on type 'microsoft.graph.user'.`);
  }
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const all = userProperties(found.user);
  const body: Record<string, unknown> = {
    '@odata.context': odataContext(ctx, select ? `users(${fields.join(',')})/$entity` : 'users/$entity'),
  };
  for (const f of fields) body[f] = all[f];
  return json(200, body);
}

export function revokeSignInSessions(ctx: GraphContext, key: string): GraphResponse {
  if (ctx.req.method !== 'POST') return methodNotAllowed(ctx.req, ctx.req.method);
  const denied = requireAny(ctx, GRANTS.revokeSessions, 'directory');
  if (denied) return denied;
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  // "This API doesn't revoke sign-in sessions for external users, because external users sign in through their home
  // tenant" (api/user-revokesigninsessions.md): the call still succeeds, nothing changes.
  if (!found.user.external) found.user.signInSessionsValidFromDateTime = new Date().toISOString().slice(0, 19) + 'Z';
  // Documented known issue: 200 with a Boolean instead of 204 (research §5.1).
  return json(200, { '@odata.context': odataContext(ctx, 'Edm.Boolean'), value: true });
}
