// Granting app roles of one service principal (the resource: Microsoft Graph, or the service's own API) to another
// (the principal: the worker's managed identity, a Logic App's identity, a ServiceNow client) through Graph:
// resolve both service principals, map role names to appRole ids, list the principal's existing assignments,
// POST only the missing ones. Idempotent; a plan can be printed without writing anything (dry run).
import type { Client } from '@microsoft/microsoft-graph-client';
import { isGuid } from '../../src/lib/domain/index.js';

export interface AppRole {
  readonly id: string;
  readonly value: string;
  readonly allowedMemberTypes?: readonly string[];
  readonly isEnabled?: boolean;
}

export interface ServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName?: string;
  readonly appRoles?: readonly AppRole[];
}

export interface AppRoleAssignment {
  readonly id: string;
  readonly principalId: string;
  readonly resourceId: string;
  readonly appRoleId: string;
}

export interface GrantPlan {
  readonly principal: ServicePrincipal;
  readonly resource: ServicePrincipal;
  /** Roles to assign, in the order asked. */
  readonly missing: readonly AppRole[];
  /** Roles the principal already holds on the resource, in the order asked. */
  readonly present: readonly AppRole[];
  /** Roles the principal holds on the resource beyond those asked (least privilege: review them). */
  readonly extra: readonly AppRole[];
}

export interface GrantResult {
  readonly granted: readonly AppRole[];
  /** Roles found present while granting (another run got there first). */
  readonly raced: readonly AppRole[];
}

/** A failure the operator can act on; the CLI prints its message without a stack trace. */
export class GrantError extends Error {
  override readonly name = 'GrantError';
  /** Graph answered 403: the signed-in identity lacks a permission or directory role (hooks print a hand-off). */
  readonly forbidden: boolean;

  constructor(message: string, options: { forbidden?: boolean } = {}) {
    super(message);
    this.forbidden = options.forbidden === true;
  }
}

interface GraphFailure {
  readonly statusCode: number;
  readonly code?: string;
  readonly message: string;
}

export function asGraphFailure(error: unknown): GraphFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, code, message } = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof statusCode !== 'number' || statusCode <= 0) return undefined;
  return {
    statusCode,
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : '',
  };
}

/** Turns Graph's 401/403 into a message that names the missing permission; other errors pass through. */
export function explainGraphError(
  error: unknown,
  doing: string,
  needed: string,
  who = 'a Privileged Role Administrator or Global Administrator',
): never {
  const failure = asGraphFailure(error);
  if (failure?.statusCode === 403) {
    throw new GrantError(
      `Graph refused to ${doing} (403 ${failure.code ?? 'Forbidden'}: ${failure.message}). ` +
        `The signed-in identity needs ${needed}: sign in (az login) as ${who}, ` +
        'or use an app that holds these application permissions with admin consent.',
      { forbidden: true },
    );
  }
  if (failure?.statusCode === 401) {
    throw new GrantError(
      `Graph rejected the access token while trying to ${doing} (401 ${failure.code ?? 'Unauthorized'}: ${failure.message}). ` +
        'Check the sign-in (az login --tenant <tenant>) and --graph-base-url.',
    );
  }
  throw error;
}

const READ_NEEDS = 'Application.Read.All (or Directory.Read.All)';
const WRITE_NEEDS = 'AppRoleAssignment.ReadWrite.All';

async function findByAppId(client: Client, appId: string): Promise<ServicePrincipal | undefined> {
  const page = (await client
    .api('/servicePrincipals')
    .filter(`appId eq '${appId}'`)
    .get()
    .catch((e: unknown) => explainGraphError(e, 'read service principals', READ_NEEDS))) as {
    value?: ServicePrincipal[];
  };
  return page.value?.[0];
}

async function findById(client: Client, id: string): Promise<ServicePrincipal | undefined> {
  try {
    return (await client.api(`/servicePrincipals/${id}`).get()) as ServicePrincipal;
  } catch (error) {
    if (asGraphFailure(error)?.statusCode === 404) return undefined;
    return explainGraphError(error, 'read service principals', READ_NEEDS);
  }
}

/**
 * Resolves a service principal from its object id or its appId (for a managed identity: the client id).
 * Object ids win: both are GUIDs, and Entra never gives one object's id to another's appId.
 */
export async function resolveServicePrincipal(client: Client, key: string, what: string): Promise<ServicePrincipal> {
  const trimmed = key.trim();
  if (!isGuid(trimmed)) {
    throw new GrantError(
      `${what} must be a service principal object id or an application (client) id (a GUID), got '${key}'`,
    );
  }
  const sp = (await findById(client, trimmed.toLowerCase())) ?? (await findByAppId(client, trimmed.toLowerCase()));
  if (!sp) {
    throw new GrantError(
      `${what} ${trimmed}: no service principal with this object id or appId in the tenant. ` +
        'For a managed identity use its principal (object) id or its client id; for an app registration, its ' +
        'application (client) id (create its enterprise application first if it has none).',
    );
  }
  return sp;
}

export async function resolveServicePrincipalByAppId(
  client: Client,
  appId: string,
  what: string,
): Promise<ServicePrincipal> {
  const sp = await findByAppId(client, appId.toLowerCase());
  if (!sp) throw new GrantError(`${what}: no service principal with appId ${appId} in the tenant`);
  return sp;
}

async function listAssignments(client: Client, principalId: string): Promise<AppRoleAssignment[]> {
  const out: AppRoleAssignment[] = [];
  let next: string | undefined = `/servicePrincipals/${principalId}/appRoleAssignments`;
  while (next) {
    const page = (await client
      .api(next)
      .get()
      .catch((e: unknown) => explainGraphError(e, 'list app role assignments', READ_NEEDS))) as {
      value?: AppRoleAssignment[];
      '@odata.nextLink'?: string;
    };
    out.push(...(page.value ?? []));
    next = page['@odata.nextLink'];
  }
  return out;
}

/** Works out which of `roleValues` the principal lacks on the resource. Reads only. */
export async function planGrants(
  client: Client,
  principal: ServicePrincipal,
  resource: ServicePrincipal,
  roleValues: readonly string[],
): Promise<GrantPlan> {
  const roles = resource.appRoles ?? [];
  const problems: string[] = [];
  const wanted: AppRole[] = [];
  for (const value of roleValues) {
    const role = roles.find((r) => r.value === value);
    if (!role) problems.push(`'${value}' is not an app role of ${resource.displayName ?? resource.appId}`);
    else if (role.isEnabled === false)
      problems.push(`'${value}' is disabled on ${resource.displayName ?? resource.appId}`);
    else if (role.allowedMemberTypes && !role.allowedMemberTypes.includes('Application')) {
      problems.push(`'${value}' cannot be assigned to applications (allowedMemberTypes lacks Application)`);
    } else wanted.push(role);
  }
  if (problems.length > 0) throw new GrantError(problems.join('; '));

  const held = new Set(
    (await listAssignments(client, principal.id))
      .filter((a) => a.resourceId.toLowerCase() === resource.id.toLowerCase())
      .map((a) => a.appRoleId.toLowerCase()),
  );
  const wantedIds = new Set(wanted.map((r) => r.id.toLowerCase()));
  return {
    principal,
    resource,
    missing: wanted.filter((r) => !held.has(r.id.toLowerCase())),
    present: wanted.filter((r) => held.has(r.id.toLowerCase())),
    extra: roles.filter((r) => held.has(r.id.toLowerCase()) && !wantedIds.has(r.id.toLowerCase())),
  };
}

const isDuplicate = (error: unknown): boolean => {
  const failure = asGraphFailure(error);
  return failure?.statusCode === 400 && /already exists/i.test(failure.message);
};

/** Assigns every missing role; a role assigned meanwhile by someone else counts as present, not as a failure. */
export async function applyGrants(client: Client, plan: GrantPlan): Promise<GrantResult> {
  const granted: AppRole[] = [];
  const raced: AppRole[] = [];
  for (const role of plan.missing) {
    try {
      await client.api(`/servicePrincipals/${plan.principal.id}/appRoleAssignments`).post({
        principalId: plan.principal.id,
        resourceId: plan.resource.id,
        appRoleId: role.id,
      });
      granted.push(role);
    } catch (error) {
      if (isDuplicate(error)) raced.push(role);
      else explainGraphError(error, `assign ${role.value}`, WRITE_NEEDS);
    }
  }
  return { granted, raced };
}
