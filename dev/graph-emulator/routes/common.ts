/** Helpers shared by the Graph route handlers: permission checks, user lookup, @odata.context. */
import { accessDenied, authorizationDenied, invalidObjectId, resourceNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import { isGuid } from '../../../src/lib/domain/index.js';
import type { UserState } from '../state/tenant-state.js';

/** 403 unless the token's roles include one of the permissions that grant the call. */
export function requireAny(
  ctx: GraphContext,
  grants: readonly string[],
  area: 'authMethods' | 'directory',
): GraphResponse | undefined {
  for (const g of grants) if (ctx.caller.roles.has(g)) return undefined;
  return area === 'authMethods' ? accessDenied(ctx.req) : authorizationDenied(ctx.req);
}

export type UserLookup = { user: UserState; error?: undefined } | { user?: undefined; error: GraphResponse };

/** The user addressed by id or UPN: 400 for a malformed id, 404 when absent. */
export function lookupUser(ctx: GraphContext, key: string): UserLookup {
  if (!key.includes('@') && !isGuid(key)) return { error: invalidObjectId(ctx.req, key) };
  const user = ctx.state.findUser(key);
  return user ? { user } : { error: resourceNotFound(ctx.req, key) };
}

/** `${base}/{version}/$metadata#{suffix}` */
export const odataContext = (ctx: GraphContext, suffix: string): string =>
  `${ctx.baseUrl}/${ctx.req.version}/$metadata#${suffix}`;

/** The user key as it appears in @odata.context: exactly as addressed, '@' encoded (research §1.2). */
export const contextKey = (key: string): string => encodeURIComponent(key).replace(/'/g, "''");

export const json = (status: number, body: unknown): GraphResponse => ({ status, body });
export const noContent = (): GraphResponse => ({ status: 204 });

/** Parses `$filter=principalId eq '{guid}'`; returns the id, or an error message. */
export function principalIdFilter(filter: string | null): { id?: string; error?: string } {
  if (filter == null) return {};
  const m = /^\s*principalId\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  if (!m) return { error: `Invalid filter clause: '${filter}' is not supported; use principalId eq '{id}'.` };
  const id = m[1];
  if (!isGuid(id)) return { error: `Invalid object identifier '${id}'.` };
  return { id: id.toLowerCase() };
}
