/** The control API under /_emulator (DESIGN §6, contracts §1): not part of Graph; JSON in, JSON out, 400 naming every problem. */
import type { EmulatorCore } from '../emulator-core.js';
import type { GraphResponse } from '../graph-types.js';
import { deviceCodeControl } from './device-code-control.js';
import { listedMethods } from './methods.js';
import type { z } from 'zod';
import {
  faultSchema,
  knobsSchema,
  throttleSchema,
  tokenRequestSchema,
  validateTenant,
  validateUser,
  zodProblems,
} from '../state/fixture-schema.js';
import { privilegeOf } from '../state/privilege-oracle.js';
import { createUserState } from '../state/tenant-state.js';
import { patchTapPolicy, tapPolicySchema } from '../state/tap-policy.js';
import type { UserState } from '../state/tenant-state.js';
import { GRAPH_APP_ID } from '../types.js';
import { presentMethod } from './methods.js';

const ok = (body: unknown, status = 200): GraphResponse => ({ status, body });
const problem = (status: number, message: string, problems?: string[]): GraphResponse => ({
  status,
  body: { error: message, ...(problems ? { problems } : {}) },
});

function parse(raw: string): { value?: unknown; error?: GraphResponse } {
  if (!raw.trim()) return { error: problem(400, 'A JSON body is required.') };
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch (err) {
    return { error: problem(400, `The body is not valid JSON: ${(err as Error).message}`) };
  }
}

function validated<T>(schema: z.ZodType<T>, raw: string): { value?: T; error?: GraphResponse } {
  const body = parse(raw);
  if (body.error) return body as { error: GraphResponse };
  const r = schema.safeParse(body.value);
  return r.success ? { value: r.data } : { error: problem(400, 'Invalid input.', zodProblems(r.error)) };
}

export function userView(core: EmulatorCore, u: UserState): Record<string, unknown> {
  const groups = core.state.transitiveGroups(u);
  const privilege = privilegeOf(core.state, u);
  const roleIds = (list: readonly { roleDefinitionId: string }[]) => [...new Set(list.map((r) => r.roleDefinitionId))];
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    accountEnabled: u.accountEnabled,
    userType: u.userType,
    mail: u.mail,
    methods: listedMethods(u, 'beta'),
    deletedButStillListed: u.tombstones.map((t) => presentMethod(t.method)),
    preferredMethod: u.preferredMethod,
    defaultMethodId: core.state.defaultMethodId(u) ?? null,
    isSystemPreferredAuthenticationMethodEnabled: u.isSystemPreferredAuthenticationMethodEnabled,
    external: u.external,
    /** Direct active role assignments, any scope. */
    roles: roleIds(core.state.privilege.assignments.get(u.id)),
    /** Roles that show as directoryRole memberships (built-in, tenant scope, direct or through a group). */
    activeRoles: core.state.directoryRoleTemplates(u, groups),
    /** Direct PIM role eligibilities, any scope. */
    eligibleRoles: roleIds(core.state.privilege.eligibilities.get(u.id)),
    groups: core.state.directGroupIds(u),
    transitiveGroups: groups.map((g) => g.id),
    ownedGroups: core.state.ownedGroups(u).map((g) => g.id),
    /** Every Entra privilege path (issue 12) the tenant model gives this user; empty for an ordinary user. */
    privilegePaths: privilege.paths,
    /** Groups the user is in or can get into (ownership, PIM eligibility), with their parents: for protected groups. */
    reachableGroups: privilege.reachableGroups,
    hiddenBlockingMethods: u.hiddenBlockingMethods,
    perUserMfaState: u.perUserMfaState,
    signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime,
  };
}

export function control(
  core: EmulatorCore,
  method: string,
  segments: string[],
  query: URLSearchParams,
  raw: string,
): GraphResponse {
  const [area, arg, extra] = segments;
  const allow = (...methods: string[]): GraphResponse | undefined =>
    methods.includes(method) ? undefined : problem(405, `Use ${methods.join(' or ')} on /_emulator/${area ?? ''}.`);
  switch (area) {
    case 'env':
      return allow('GET') ?? ok(core.env());
    case 'tenant': {
      const bad = allow('GET', 'PUT');
      if (bad) return bad;
      if (method === 'GET') {
        const s = core.state;
        return ok({
          tenantId: s.tenantId,
          size: s.size,
          domain: s.domain,
          users: s.users.size,
          groups: s.groups.size,
          apiAppId: s.apiAppId,
          managedIdentityAppId: s.managedIdentityAppId,
          servicePrincipals: [...s.servicePrincipals.byId.values()].map((sp) => ({
            id: sp.id,
            appId: sp.appId,
            displayName: sp.displayName,
          })),
        });
      }
      const body = parse(raw);
      if (body.error) return body.error;
      const t = validateTenant(body.value);
      if (!t.ok) return problem(400, 'Invalid tenant fixture.', t.problems);
      try {
        core.loadTenant(t.value, true);
      } catch (err) {
        return problem(400, `Invalid tenant fixture: ${(err as Error).message}`);
      }
      return ok({ tenantId: core.state.tenantId, users: core.state.users.size, env: core.env() });
    }
    case 'users': {
      if (!arg || extra !== undefined) return problem(404, 'Use /_emulator/users/{id or userPrincipalName}.');
      const bad = allow('GET', 'PUT');
      if (bad) return bad;
      if (method === 'GET') {
        const u = core.state.findUser(arg);
        return u ? ok(userView(core, u)) : problem(404, `No user '${arg}' in the emulated tenant.`);
      }
      const body = parse(raw);
      if (body.error) return body.error;
      const v = validateUser(body.value);
      if (!v.ok) return problem(400, 'Invalid user.', v.problems);
      const key = arg.toLowerCase();
      if (key !== v.value.id.toLowerCase() && key !== v.value.userPrincipalName.toLowerCase()) {
        return problem(400, 'The path key must be the user id or userPrincipalName in the body.');
      }
      const clash = core.state.findUser(v.value.userPrincipalName);
      if (clash && clash.id !== v.value.id.toLowerCase()) {
        return problem(400, `userPrincipalName ${v.value.userPrincipalName} belongs to another user (${clash.id}).`);
      }
      const referenced = [
        ...(v.value.groups ?? []),
        ...(v.value.ownerOf ?? []),
        ...[...(v.value.groupAssignments ?? []), ...(v.value.groupEligibilities ?? [])].map((a) => a.groupId),
      ];
      const unknownGroups = referenced.filter((g) => !core.state.groups.has(g.toLowerCase()));
      if (unknownGroups.length) return problem(400, 'Unknown groups.', unknownGroups);
      const existed = core.state.users.has(v.value.id.toLowerCase());
      const user = createUserState(v.value);
      core.state.putUser(user);
      return ok(userView(core, user), existed ? 200 : 201);
    }
    case 'requests': {
      const bad = allow('GET', 'DELETE');
      if (bad) return bad;
      if (method === 'DELETE') {
        core.log.clear();
        return { status: 204 };
      }
      const since = query.get('since');
      const status = query.get('status');
      if ((since !== null && !/^\d+$/.test(since)) || (status !== null && !/^\d+$/.test(status))) {
        return problem(400, 'since and status must be non-negative integers.');
      }
      const value = core.log.query({
        since: since === null ? undefined : Number(since),
        method: query.get('method') ?? undefined,
        path: query.get('path') ?? undefined,
        status: status === null ? undefined : Number(status),
        app: query.get('app') ?? undefined,
      });
      return ok({ lastSeq: core.log.lastSeq, value });
    }
    case 'faults': {
      const bad = allow('GET', 'PUT', 'DELETE');
      if (bad) return bad;
      if (method === 'GET') return ok(core.faults.current ?? { off: true });
      if (method === 'DELETE') {
        core.faults.configure(null);
        return { status: 204 };
      }
      const v = validated(faultSchema, raw);
      if (v.error) return v.error;
      core.faults.configure(v.value ?? null);
      return ok(core.faults.current);
    }
    case 'throttle': {
      const bad = allow('GET', 'PUT');
      if (bad) return bad;
      if (method === 'GET') return ok(core.throttle.current);
      const v = validated(throttleSchema, raw);
      if (v.error) return v.error;
      const cfg = v.value as z.infer<typeof throttleSchema>;
      core.throttle.configure({
        profile: cfg.profile,
        timeScale: cfg.timeScale ?? 1,
        ...(cfg.writeShape ? { writeShape: cfg.writeShape } : {}),
      });
      return ok(core.throttle.current);
    }
    case 'knobs': {
      const bad = allow('GET', 'PUT');
      if (bad) return bad;
      if (method === 'PUT') {
        const v = validated(knobsSchema, raw);
        if (v.error) return v.error;
        if (v.value?.staleReadsMs !== undefined) core.knobs.staleReadsMs = v.value.staleReadsMs;
        if (v.value?.defaultBlockingKinds !== undefined) {
          core.knobs.defaultBlockingKinds = v.value.defaultBlockingKinds ? new Set(v.value.defaultBlockingKinds) : null;
        }
        if (v.value?.pageSize !== undefined) core.knobs.pageSize = v.value.pageSize;
        if (v.value?.authMethodsTimeoutMs !== undefined) core.knobs.authMethodsTimeoutMs = v.value.authMethodsTimeoutMs;
        if (v.value?.hardwareOathAppDelete !== undefined)
          core.knobs.hardwareOathAppDelete = v.value.hardwareOathAppDelete;
      }
      const blocking = core.knobs.defaultBlockingKinds;
      return ok({
        staleReadsMs: core.knobs.staleReadsMs,
        defaultBlockingKinds: blocking ? [...blocking] : null,
        pageSize: core.knobs.pageSize,
        authMethodsTimeoutMs: core.knobs.authMethodsTimeoutMs,
        hardwareOathAppDelete: core.knobs.hardwareOathAppDelete,
      });
    }
    case 'policies': {
      // The tenant's Temporary Access Pass policy: tests disable it or narrow its bounds.
      if (arg !== 'temporaryAccessPass' || extra !== undefined)
        return problem(404, 'Use /_emulator/policies/temporaryAccessPass.');
      const bad = allow('GET', 'PUT');
      if (bad) return bad;
      if (method === 'PUT') {
        const v = validated(tapPolicySchema, raw);
        if (v.error) return v.error;
        core.state.tapPolicy = patchTapPolicy(core.state.tapPolicy, v.value ?? {});
      }
      return ok(core.state.tapPolicy);
    }
    case 'reset':
      return allow('POST') ?? (core.reset(), ok({ reset: true, tenantId: core.state.tenantId }));
    case 'keys': {
      if (arg !== 'rotate') return problem(404, 'Use POST /_emulator/keys/rotate[?drop=true].');
      const bad = allow('POST');
      if (bad) return bad;
      const drop = query.get('drop');
      if (drop !== null && drop !== 'true' && drop !== 'false') return problem(400, 'drop must be true or false.');
      return ok(core.signer.rotate(drop === 'true'));
    }
    case 'tokens': {
      const bad = allow('POST');
      if (bad) return bad;
      const v = validated(tokenRequestSchema, raw);
      if (v.error) return v.error;
      const r = v.value as z.infer<typeof tokenRequestSchema>;
      const resourceAppId = r.resource === undefined ? GRAPH_APP_ID : core.state.audienceAppId(r.resource);
      if (!resourceAppId)
        return problem(400, `Unknown resource '${r.resource}'; use https://graph.microsoft.com or the apiAppId.`);
      const user = r.user === undefined ? undefined : core.state.findUser(r.user);
      if (r.user !== undefined && !user) return problem(400, `Unknown user '${r.user}'; give a fixture user's id.`);
      if (r.scp !== undefined && !user) return problem(400, 'scp needs user (a delegated token).');
      const { token, claims } = core.issueToken(r.appId, resourceAppId, {
        expiresIn: r.expiresIn,
        roles: r.roles,
        audience: r.audience,
        ...(user ? { user, scp: r.scp } : {}),
        ...(r.idtyp ? { idtyp: r.idtyp } : {}),
      });
      return ok({ access_token: token, claims });
    }
    case 'devicecode':
      return extra === undefined ? deviceCodeControl(core, method, arg, raw) : problem(404, 'Unknown devicecode path.');
    default:
      return problem(
        404,
        `Unknown control path '/_emulator/${segments.join('/')}'. Known: env, tenant, users/{key}, requests, faults, throttle, knobs, reset, keys/rotate, tokens, devicecode.`,
      );
  }
}
