/** Validation of tenant fixtures and control-API inputs: every problem is named, nothing malformed reaches the state. */
import { z } from 'zod';
import { isGuid } from '../../../src/lib/domain/index.js';
import type { FixtureUser, TenantFixture } from '../types.js';
import { GRAPH_AUDIENCE } from '../types.js';
import { KIND_BY_TYPE, PHONE_IDS, PREFERRED_METHODS } from './method-types.js';
import { delegatedAccessProblems } from './delegated-permissions.js';
import { GRAPH_PERMISSIONS } from './permissions.js';
import { BUILT_IN_ROLES } from './role-catalogue.js';
import { tapPolicySchema } from './tap-policy.js';

const guid = z.string().refine(isGuid, { message: 'must be a GUID' });

const method = z.looseObject({
  '@odata.type': z
    .string()
    .refine((t) => KIND_BY_TYPE.has(t) && t !== '#microsoft.graph.passwordAuthenticationMethod', {
      message: 'unknown or not storable @odata.type (the password method is implicit)',
    }),
  id: z.string().min(1),
});

/** '/', '/administrativeUnits/{id}' or '/{application object id}' (resources/unifiedroleassignment.md). */
const directoryScopeId = z.string().regex(/^\/(administrativeUnits\/[0-9a-fA-F-]{36}|[0-9a-fA-F-]{36})?$/, {
  message: "must be '/', '/administrativeUnits/{id}' or '/{application object id}'",
});
const roleGrant = z.strictObject({ roleDefinitionId: guid, directoryScopeId: directoryScopeId.optional() });
const groupAccess = z.strictObject({ groupId: guid, accessId: z.enum(['member', 'owner']) });

export const userSchema = z.strictObject({
  id: guid,
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@domain'),
  displayName: z.string().min(1),
  accountEnabled: z.boolean().optional(),
  userType: z.enum(['Member', 'Guest']).optional(),
  mail: z.string().nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  methods: z.array(method).optional(),
  preferredMethod: z.enum(PREFERRED_METHODS).nullable().optional(),
  isSystemPreferredAuthenticationMethodEnabled: z.boolean().optional(),
  external: z.boolean().optional(),
  roles: z.array(guid).optional(),
  eligibleRoles: z.array(guid).optional(),
  roleAssignments: z.array(roleGrant).optional(),
  roleEligibilities: z.array(roleGrant).optional(),
  groups: z.array(guid).optional(),
  ownerOf: z.array(guid).optional(),
  groupAssignments: z.array(groupAccess).optional(),
  groupEligibilities: z.array(groupAccess).optional(),
  hiddenBlockingMethods: z.boolean().optional(),
  perUserMfaState: z.enum(['disabled', 'enabled', 'enforced']).optional(),
  appRoles: z.array(z.string().min(1)).optional(),
});

const tenantSchema = z.strictObject({
  tenantId: guid,
  size: z.enum(['S', 'M', 'L']).optional(),
  domain: z.string().optional(),
  users: z.array(userSchema),
  groups: z
    .array(
      z.strictObject({
        id: guid,
        displayName: z.string().min(1),
        groups: z.array(guid).optional(),
        isAssignableToRole: z.boolean().optional(),
        roles: z.array(guid).optional(),
        eligibleRoles: z.array(guid).optional(),
        roleAssignments: z.array(roleGrant).optional(),
        roleEligibilities: z.array(roleGrant).optional(),
        groupEligibilities: z.array(groupAccess).optional(),
        appRoles: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
  roleDefinitions: z
    .array(
      z.strictObject({
        id: guid,
        displayName: z.string().min(1),
        description: z.string().optional(),
        allowedResourceActions: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
  administrativeUnits: z.array(z.strictObject({ id: guid, displayName: z.string().min(1) })).optional(),
  apps: z.array(
    z.strictObject({
      appId: guid,
      displayName: z.string().min(1),
      clientSecret: z.string().min(1).optional(),
      objectId: guid.optional(),
      roles: z.record(z.string(), z.array(z.string())).optional(),
    }),
  ),
  publicClients: z
    .array(
      z.strictObject({
        appId: guid,
        displayName: z.string().min(1),
        delegatedPermissions: z.record(z.string(), z.array(z.string().min(1))).optional(),
      }),
    )
    .optional(),
  managedIdentityAppId: guid,
  apiAppId: guid,
  tapPolicy: tapPolicySchema.optional(),
});

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
}

/** Rules a schema cannot express for one user (phone ids, alternateMobile needs mobile, preference needs its method). */
export function userProblems(u: FixtureUser, at: string): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const phones = new Set<string>();
  for (const [i, m] of (u.methods ?? []).entries()) {
    if (ids.has(m.id)) problems.push(`${at}.methods.${i}.id: duplicate method id ${m.id}`);
    ids.add(m.id);
    if (m['@odata.type'] === '#microsoft.graph.phoneAuthenticationMethod') {
      const type = m.phoneType as keyof typeof PHONE_IDS;
      if (!(type in PHONE_IDS))
        problems.push(`${at}.methods.${i}.phoneType: must be mobile, alternateMobile or office`);
      else {
        if (PHONE_IDS[type] !== m.id) {
          problems.push(`${at}.methods.${i}.id: the ${type} phone has the fixed id ${PHONE_IDS[type]}`);
        }
        phones.add(type);
      }
    }
  }
  if (phones.has('alternateMobile') && !phones.has('mobile')) {
    problems.push(`${at}.methods: an alternateMobile phone needs a mobile phone`);
  }
  return problems;
}

export function validateTenant(input: unknown): Validated<TenantFixture> {
  const parsed = tenantSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };
  const t = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>();
  const upns = new Set<string>();
  const groupIds = new Set((t.groups ?? []).map((g) => g.id.toLowerCase()));
  const groupById = new Map((t.groups ?? []).map((g) => [g.id.toLowerCase(), g]));
  const roleAssignable = (g: (typeof t.groups & object)[number]): boolean =>
    g.isAssignableToRole ??
    (g.roles?.length ?? 0) +
      (g.eligibleRoles?.length ?? 0) +
      (g.roleAssignments?.length ?? 0) +
      (g.roleEligibilities?.length ?? 0) >
      0;
  const customRoles = new Set((t.roleDefinitions ?? []).map((r) => r.id.toLowerCase()));
  const units = new Set((t.administrativeUnits ?? []).map((a) => a.id.toLowerCase()));
  /** Scoped grants must name a known role and, for an administrative-unit scope, a declared unit. */
  const grantProblems = (
    grants: readonly { roleDefinitionId: string; directoryScopeId?: string }[] | undefined,
    at: string,
  ) => {
    for (const [k, g] of (grants ?? []).entries()) {
      const role = g.roleDefinitionId.toLowerCase();
      if (!customRoles.has(role) && !(role in BUILT_IN_ROLES)) {
        problems.push(
          `${at}.${k}.roleDefinitionId: unknown role ${g.roleDefinitionId} (not built in, not in roleDefinitions)`,
        );
      }
      const au = /^\/administrativeUnits\/(.+)$/.exec(g.directoryScopeId ?? '/')?.[1];
      if (au && !units.has(au.toLowerCase()))
        problems.push(`${at}.${k}.directoryScopeId: unknown administrative unit ${au}`);
    }
  };
  const accessProblems = (list: readonly { groupId: string }[] | undefined, at: string) => {
    for (const [k, a] of (list ?? []).entries()) {
      if (!groupById.has(a.groupId.toLowerCase())) problems.push(`${at}.${k}.groupId: unknown group ${a.groupId}`);
    }
  };
  t.users.forEach((u, i) => {
    grantProblems(u.roleAssignments, `users.${i}.roleAssignments`);
    grantProblems(u.roleEligibilities, `users.${i}.roleEligibilities`);
    accessProblems(u.groupAssignments, `users.${i}.groupAssignments`);
    accessProblems(u.groupEligibilities, `users.${i}.groupEligibilities`);
    for (const g of u.ownerOf ?? [])
      if (!groupById.has(g.toLowerCase())) problems.push(`users.${i}.ownerOf: unknown group ${g}`);
    const id = u.id.toLowerCase();
    const upn = u.userPrincipalName.toLowerCase();
    if (ids.has(id)) problems.push(`users.${i}.id: duplicate user id ${u.id}`);
    if (upns.has(upn)) problems.push(`users.${i}.userPrincipalName: duplicate UPN ${u.userPrincipalName}`);
    ids.add(id);
    upns.add(upn);
    problems.push(...userProblems(u, `users.${i}`));
    for (const g of u.groups ?? [])
      if (!groupIds.has(g.toLowerCase())) problems.push(`users.${i}.groups: unknown group ${g}`);
  });
  (t.groups ?? []).forEach((g, i) => {
    for (const p of g.groups ?? []) {
      const parent = groupById.get(p.toLowerCase());
      if (!parent) problems.push(`groups.${i}.groups: unknown group ${p}`);
      // "Group nesting isn't supported. A group can't be added as a member of a role-assignable group." (groups-concept)
      else if (roleAssignable(parent))
        problems.push(`groups.${i}.groups: ${p} is role-assignable and cannot have group members`);
    }
    grantProblems(g.roleAssignments, `groups.${i}.roleAssignments`);
    grantProblems(g.roleEligibilities, `groups.${i}.roleEligibilities`);
    accessProblems(g.groupEligibilities, `groups.${i}.groupEligibilities`);
    const holdsRoles =
      (g.roles?.length ?? 0) +
        (g.eligibleRoles?.length ?? 0) +
        (g.roleAssignments?.length ?? 0) +
        (g.roleEligibilities?.length ?? 0) >
      0;
    // Only role-assignable groups can be assigned or made eligible for a role (resources/unifiedroleassignment.md).
    if (g.isAssignableToRole === false && holdsRoles)
      problems.push(`groups.${i}: only a role-assignable group can hold roles`);
  });
  const api = t.apiAppId.toLowerCase();
  t.apps.forEach((a, i) => {
    for (const [aud, roles] of Object.entries(a.roles ?? {})) {
      const audience = aud.toLowerCase();
      if (audience === GRAPH_AUDIENCE) {
        for (const r of roles)
          if (!(r in GRAPH_PERMISSIONS)) problems.push(`apps.${i}.roles: unknown Graph permission '${r}'`);
      } else if (audience !== api && audience !== `api://${api}`) {
        problems.push(`apps.${i}.roles: audience '${aud}' must be ${GRAPH_AUDIENCE} or the apiAppId`);
      }
    }
  });
  problems.push(...delegatedAccessProblems(t));
  return problems.length ? { ok: false, problems } : { ok: true, value: t };
}

export function validateUser(input: unknown): Validated<FixtureUser> {
  const parsed = userSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };
  const problems = userProblems(parsed.data, 'user');
  return problems.length ? { ok: false, problems } : { ok: true, value: parsed.data };
}

export const faultSchema = z.strictObject({
  seed: z.number().int(),
  latencyMs: z
    .strictObject({ min: z.number().min(0).max(120_000), max: z.number().min(0).max(120_000) })
    .refine((l) => l.min <= l.max, { message: 'min must not exceed max' })
    .optional(),
  rates: z
    .strictObject({
      '429': z.number().min(0).max(1).optional(),
      '503': z.number().min(0).max(1).optional(),
      '504': z.number().min(0).max(1).optional(),
      reset: z.number().min(0).max(1).optional(),
    })
    .refine((r) => (r['429'] ?? 0) + (r['503'] ?? 0) + (r['504'] ?? 0) + (r.reset ?? 0) <= 1, {
      message: 'the rates must add up to at most 1',
    })
    .optional(),
  path: z
    .string()
    .refine(
      (p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid regular expression' },
    )
    .optional(),
  methods: z.array(z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE'])).optional(),
  retryAfter: z.union([z.number().min(0).max(3600), z.literal('none'), z.literal('http-date')]).optional(),
  sequence: z
    .array(
      z.union([
        z.literal(429),
        z.literal(403),
        z.literal(503),
        z.literal(504),
        z.literal('reset'),
        z.literal('noValue'),
        z.literal('foreignNextLink'),
        z.literal('otherVersionNextLink'),
        z.literal('ok'),
      ]),
    )
    .optional(),
});

export const throttleSchema = z.strictObject({
  profile: z.enum(['off', 'documented', 'strict']),
  timeScale: z.number().positive().max(100).optional(),
  writeShape: z.enum(['fixed-window', 'token-bucket']).optional(),
});

const BLOCKING_KINDS = [...KIND_BY_TYPE.values()].filter((k) => k.name !== 'password').map((k) => k.name);

export const knobsSchema = z.strictObject({
  staleReadsMs: z.number().int().min(0).max(600_000).optional(),
  /** null restores the built-in set. */
  defaultBlockingKinds: z
    .array(
      z.string().refine((k) => BLOCKING_KINDS.includes(k), { message: `must be one of ${BLOCKING_KINDS.join(', ')}` }),
    )
    .nullable()
    .optional(),
  /** null restores each endpoint's own page size. */
  pageSize: z.number().int().min(1).max(999).nullable().optional(),
  authMethodsTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  hardwareOathAppDelete: z.boolean().optional(),
});

export const tokenRequestSchema = z.strictObject({
  appId: guid,
  audience: z.string().optional(),
  resource: z.string().optional(),
  roles: z.array(z.string()).optional(),
  expiresIn: z.number().int().min(-86_400).max(86_400).optional(),
  /** A delegated token: the object id of the fixture user signed in to the app (default: an app-only token). */
  user: guid.optional(),
  /** The delegated token's `scp` (default `user_impersonation`); only with `user`. */
  scp: z.string().min(1).optional(),
  /** Overrides the `idtyp` claim, for tokens Entra ID would not issue (an app token with `scp`). */
  idtyp: z.enum(['app', 'user']).optional(),
});
