/** GET /users/{id|upn} with $select, POST revokeSignInSessions, GET transitiveMemberOf / memberOf (with casts and paging). */
import { directoryBadRequest, graphError, methodNotAllowed, segmentNotFound } from '../errors.js';
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
  found.user.signInSessionsValidFromDateTime = new Date().toISOString().slice(0, 19) + 'Z';
  // Documented known issue: 200 with a Boolean instead of 204 (research §5.1).
  return json(200, { '@odata.context': odataContext(ctx, 'Edm.Boolean'), value: true });
}

const CASTS: Record<string, string> = {
  'microsoft.graph.directoryRole': '#microsoft.graph.directoryRole',
  'microsoft.graph.group': '#microsoft.graph.group',
};

/** GET /users/{key}/(transitiveMemberOf|memberOf)[/microsoft.graph.{directoryRole|group}] paged at $top (default 100). */
export function memberOf(ctx: GraphContext, key: string, transitive: boolean, cast?: string): GraphResponse {
  if (ctx.req.method !== 'GET') return methodNotAllowed(ctx.req, ctx.req.method);
  const relation = transitive ? 'transitiveMemberOf' : 'memberOf';
  if (cast !== undefined && !CASTS[cast]) return segmentNotFound(ctx.req, cast);
  const denied = requireAny(ctx, GRANTS.memberOf, 'directory');
  if (denied) return denied;
  const topRaw = ctx.req.query.get('$top');
  const top = topRaw == null ? 100 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    return directoryBadRequest(
      ctx.req,
      `Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`,
    );
  }
  const skipRaw = ctx.req.query.get('$skiptoken');
  const skip = skipRaw == null ? 0 : Number.parseInt(skipRaw, 10);
  if (!Number.isInteger(skip) || skip < 0) {
    return graphError(
      ctx.req,
      400,
      'Directory_ExpiredPageToken',
      'The specified page token value has expired and can no longer be included in your request.',
    );
  }
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const user = found.user;
  const groups = transitive
    ? ctx.state.transitiveGroups(user)
    : user.groups.map((g) => ctx.state.groups.get(g)).filter((g) => g !== undefined);
  const roles = transitive ? ctx.state.activeRoles(user, groups) : user.roles;
  const wanted = cast ? CASTS[cast] : undefined;
  const items: Record<string, unknown>[] = [];
  if (!wanted || wanted === '#microsoft.graph.group') {
    for (const g of groups) {
      items.push({
        '@odata.type': '#microsoft.graph.group',
        id: g.id,
        deletedDateTime: null,
        displayName: g.displayName,
        securityEnabled: true,
        mailEnabled: false,
        groupTypes: [],
        isAssignableToRole: g.roles.length > 0 ? true : null,
      });
    }
  }
  if (!wanted || wanted === '#microsoft.graph.directoryRole') {
    for (const r of roles) items.push(ctx.state.directoryRoleObject(r));
  }
  const page = items.slice(skip, skip + top);
  const path = `users/${ctx.req.rawSegments[1]}/${relation}${cast ? `/${cast}` : ''}`;
  const body: Record<string, unknown> = {
    '@odata.context': odataContext(
      ctx,
      cast ? `directoryObjects/${cast.replace('microsoft.graph.', '#microsoft.graph.')}` : 'directoryObjects',
    ),
  };
  if (skip + top < items.length) {
    body['@odata.nextLink'] = `${ctx.baseUrl}/${ctx.req.version}/${path}?$top=${top}&$skiptoken=${skip + top}`;
  }
  body.value = page;
  return json(200, body);
}
