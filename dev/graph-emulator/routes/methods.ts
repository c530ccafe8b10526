/**
 * /users/{user}/authentication/methods and the per-type collections (research §1–§3): list, per-type GET, per-type
 * DELETE with the default-method and mobile/alternateMobile rules, and the generic DELETE that fails like the real one.
 */
import { accessDenied, badRequest, graphError, methodNotAllowed, segmentNotFound } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';
import type { MethodKind } from '../state/method-types.js';
import { KIND_BY_SEGMENT, PASSWORD_KIND, PASSWORD_METHOD_ID, PHONE_IDS } from '../state/method-types.js';
import { GRANTS } from '../state/permissions.js';
import type { StoredMethod, UserState } from '../state/tenant-state.js';
import { contextKey, json, lookupUser, noContent, odataContext, requireAny } from './common.js';

const TIPS =
  "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET users('<key>')/authentication/methods?$select=id";

export const DEFAULT_RULE_MESSAGE =
  'Cannot delete default method with other methods configured. Please change default method before deletion.';
export const defaultRulePhoneMessage = (id: string): string =>
  `The requested authentication method id of [${id}] matches the user's current default authentication method, and cannot be deleted until the default authentication method is changed`;
/** UNCONFIRMED text (research §3.2): only the rule itself is documented. */
export const MOBILE_RULE_MESSAGE =
  "A user can't have an alternateMobile number without a mobile number. Delete the alternateMobile number before deleting the mobile number.";

/** A method as Graph returns it: write-only or one-time properties are null. */
export function presentMethod(m: StoredMethod): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.type': m.kind.odataType, id: m.data.id };
  for (const [k, v] of Object.entries(m.data)) if (k !== '@odata.type' && k !== 'id') out[k] = v;
  if (m.kind.name === 'temporaryAccessPass') out.temporaryAccessPass = null;
  if (m.kind.name === 'softwareOath') out.secretKey = null;
  return out;
}

export function passwordMethod(user: UserState): Record<string, unknown> {
  return {
    '@odata.type': PASSWORD_KIND.odataType,
    id: PASSWORD_METHOD_ID,
    password: null,
    createdDateTime: user.passwordCreatedDateTime,
  };
}

/** Password first, then the user's methods (v1.0 hides beta-only types), then stale tombstones. */
export function listedMethods(user: UserState, version: 'v1.0' | 'beta', now = Date.now()): Record<string, unknown>[] {
  const out = [passwordMethod(user)];
  for (const m of user.methods.values()) if (version === 'beta' || m.kind.v1) out.push(presentMethod(m));
  if (user.tombstones.length) {
    user.tombstones = user.tombstones.filter((t) => t.until > now);
    for (const t of user.tombstones) if (version === 'beta' || t.method.kind.v1) out.push(presentMethod(t.method));
  }
  return out;
}

function selectFields(items: Record<string, unknown>[], select: string | null): Record<string, unknown>[] {
  if (!select) return items;
  const fields = select.split(',').map((s) => s.trim());
  return items.map((item) => {
    const out: Record<string, unknown> = { '@odata.type': item['@odata.type'] };
    for (const f of fields) if (f in item) out[f] = item[f];
    return out;
  });
}

const methodNotFound = (ctx: GraphContext, id: string): GraphResponse =>
  graphError(ctx.req, 404, 'itemNotFound', `The requested authentication method '${id}' was not found for this user.`, {
    innerMessage: true,
  });

/** GET /users/{user}/authentication/methods[/$count | /{id}] and DELETE /methods/{id} (always fails). */
export function methodsRoot(ctx: GraphContext, key: string, id?: string): GraphResponse {
  const { req } = ctx;
  if (id === '$count') {
    // msgraph-metadata #648: $count on this collection is a 400.
    return graphError(req, 400, 'BadRequest', 'Query option $count is not supported on this resource.');
  }
  if (id === undefined) {
    if (req.method !== 'GET') return methodNotAllowed(req, req.method);
    const denied = requireAny(ctx, GRANTS.methodsList, 'authMethods');
    if (denied) return denied;
    const found = lookupUser(ctx, key);
    if (found.error) return found.error;
    return json(200, {
      '@odata.context': odataContext(ctx, `users('${contextKey(key)}')/authentication/methods`),
      '@microsoft.graph.tips': TIPS,
      value: selectFields(listedMethods(found.user, req.version), req.query.get('$select')),
    });
  }
  if (req.method === 'DELETE') {
    const denied = requireAny(ctx, GRANTS.methodsWrite(), 'authMethods');
    if (denied) return denied;
    // There is no generic DELETE (research §2.2): the mface backend's "No HTTP resource" error, nothing deleted.
    const inner = {
      Message: `No HTTP resource was found that matches the request URI 'https://mface.windowsazure.com/odata/users('${ctx.req.rawSegments[1]}')/authentication/methods('${id}')'.`,
      MessageDetail: "No type was found that matches the controller named 'users'.",
    };
    return graphError(req, 400, 'UnknownError', JSON.stringify(inner));
  }
  if (req.method !== 'GET') return methodNotAllowed(req, req.method);
  const denied = requireAny(ctx, GRANTS.methodsList, 'authMethods');
  if (denied) return denied;
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const body =
    id === PASSWORD_METHOD_ID
      ? passwordMethod(found.user)
      : (() => {
          const m = found.user.methods.get(id);
          return m && (req.version === 'beta' || m.kind.v1) ? presentMethod(m) : undefined;
        })();
  if (!body) return methodNotFound(ctx, id);
  return json(200, {
    '@odata.context': odataContext(ctx, `users('${contextKey(key)}')/authentication/methods/$entity`),
    ...body,
  });
}

function ofKind(user: UserState, kind: MethodKind): StoredMethod[] {
  const out: StoredMethod[] = [];
  for (const m of user.methods.values()) if (m.kind === kind) out.push(m);
  return out;
}

/**
 * /users/{user}/authentication/{segment}[/{id}[/$ref]]: per-type GET collection, GET item, DELETE item.
 * `segment` is known to be a per-type segment (see KIND_BY_SEGMENT). A DELETE is accepted only in the form its page
 * documents (with `/$ref` for external methods, without it for the others).
 */
export function perType(ctx: GraphContext, key: string, segment: string, id?: string, ref?: boolean): GraphResponse {
  const { req } = ctx;
  const kind = KIND_BY_SEGMENT.get(segment) as MethodKind;
  if (!kind.v1Segment && req.version === 'v1.0') return segmentNotFound(req, segment);
  if (ref && !kind.deleteByRef) return segmentNotFound(req, '$ref');
  if (ref && req.method !== 'DELETE') return methodNotAllowed(req, req.method);
  const isWrite = req.method === 'DELETE';
  if (req.method !== 'GET' && !isWrite) return methodNotAllowed(req, req.method);
  if (isWrite && !kind.deletable) return methodNotAllowed(req, req.method);
  if (isWrite && id === undefined && !kind.singleton) return methodNotAllowed(req, req.method);
  // Our choice (Graph's answer to the undocumented form is not known): only the documented `/$ref` form deletes.
  if (isWrite && kind.deleteByRef && !ref) return methodNotAllowed(req, req.method);
  const denied = requireAny(
    ctx,
    isWrite ? GRANTS.methodsWrite(kind.granular) : GRANTS.methodsRead(kind.granular),
    'authMethods',
  );
  if (denied) return denied;
  // The page documents no application delete; a person's token may (delegated-admin.ts checks their role).
  const delegated = ctx.caller.signedInUser !== undefined;
  if (isWrite && !kind.appDelete && !delegated && !ctx.knobs.hardwareOathAppDelete) return accessDenied(req);
  const found = lookupUser(ctx, key);
  if (found.error) return found.error;
  const user = found.user;
  const ctxBase = `users('${contextKey(key)}')/authentication/${segment}`;

  if (kind.singleton) {
    if (id !== undefined) return segmentNotFound(req, id);
    const m = ofKind(user, kind)[0];
    if (!m) return methodNotFound(ctx, segment);
    if (isWrite) return deleteMethod(ctx, user, m);
    return json(200, { '@odata.context': odataContext(ctx, `${ctxBase}/$entity`), ...presentMethod(m) });
  }
  if (kind === PASSWORD_KIND) {
    if (id === undefined)
      return json(200, { '@odata.context': odataContext(ctx, ctxBase), value: [passwordMethod(user)] });
    if (id !== PASSWORD_METHOD_ID) return methodNotFound(ctx, id);
    return json(200, { '@odata.context': odataContext(ctx, `${ctxBase}/$entity`), ...passwordMethod(user) });
  }
  if (id === undefined) {
    return json(200, { '@odata.context': odataContext(ctx, ctxBase), value: ofKind(user, kind).map(presentMethod) });
  }
  const m = user.methods.get(id);
  if (!m || m.kind !== kind) return methodNotFound(ctx, id);
  if (isWrite) return deleteMethod(ctx, user, m);
  return json(200, { '@odata.context': odataContext(ctx, `${ctxBase}/$entity`), ...presentMethod(m) });
}

/** Applies the ordering rules (research §3.1, §3.2), then deletes. */
function deleteMethod(ctx: GraphContext, user: UserState, m: StoredMethod): GraphResponse {
  const id = m.data.id;
  const defaultId = ctx.state.defaultMethodId(user);
  if (defaultId === id) {
    let others = user.hiddenBlockingMethods;
    for (const other of user.methods.values()) {
      const blocks = ctx.knobs.defaultBlockingKinds?.has(other.kind.name) ?? other.kind.blocksDefault;
      if (other !== m && blocks) {
        others = true;
        break;
      }
    }
    if (others) {
      return badRequest(ctx.req, m.kind.name === 'phone' ? defaultRulePhoneMessage(id) : DEFAULT_RULE_MESSAGE);
    }
  }
  if (m.kind.name === 'phone' && id === PHONE_IDS.mobile && user.methods.has(PHONE_IDS.alternateMobile)) {
    return badRequest(ctx.req, MOBILE_RULE_MESSAGE);
  }
  user.methods.delete(id);
  if (defaultId === id) user.preferredMethod = null;
  if (ctx.knobs.staleReadsMs > 0) user.tombstones.push({ method: m, until: Date.now() + ctx.knobs.staleReadsMs });
  return noContent();
}
