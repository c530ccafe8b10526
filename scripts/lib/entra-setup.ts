// The Entra side of a deployment through Microsoft Graph v1.0: the API app registration (found by its uniqueName, or
// by its appId when it predates this script), its service principal with assignment required, the worker's Graph
// application permissions, a check that the intake holds none, and optional caller role assignments. Each step reads
// first and writes only what differs; every line it prints says "unchanged" or what it changed (or would change).
import type { Client } from '@microsoft/microsoft-graph-client';
import { PREAUTHORIZED_PUBLIC_CLIENTS } from '../../src/lib/domain/index.js';
import type { Role } from '../../src/lib/domain/index.js';
import { workerGraphPermissions } from '../../src/lib/graph/graph-permissions.js';
import { planApiApplication } from './api-app-manifest.js';
import type { ApiApplication } from './api-app-manifest.js';
import {
  applyGrants,
  asGraphFailure,
  explainGraphError,
  GrantError,
  planGrants,
  resolveServicePrincipal,
  resolveServicePrincipalByAppId,
} from './app-role-grants.js';
import type { ServicePrincipal } from './app-role-grants.js';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const APP_WRITE_NEEDS = 'Application.ReadWrite.All';
/** Who may write app registrations and service principals (application-upsert.md, delegated scenarios). */
const APP_WRITERS = 'an Application Administrator or Cloud Application Administrator (or as its owner)';
const ASSIGN_NEEDS = 'AppRoleAssignment.ReadWrite.All and Application.Read.All (Privileged Role Administrator)';
const READ_NEEDS = 'Application.Read.All';

export type PrincipalKind = 'app' | 'user' | 'group';

export interface CallerAssignment {
  readonly role: Role;
  readonly kind: PrincipalKind;
  /** app: service principal object id or appId; user: object id or UPN; group: object id. */
  readonly key: string;
}

export interface EntraSetupOptions {
  /** uniqueName of the registration (the key it is found by on every run). */
  readonly uniqueName: string;
  readonly displayName: string;
  /** An existing registration's appId (AUTH_AUDIENCE), e.g. one made by hand before this script. */
  readonly apiAppId?: string;
  readonly worker?: string;
  readonly intake?: string;
  /** Further clients pre-authorized for the scope: a Power Platform custom connector's own app registration. */
  readonly extraClients: readonly string[];
  readonly assignments: readonly CallerAssignment[];
  readonly dryRun: boolean;
  /** Waits between retries while a new object replicates in the directory (empty: no retry). */
  readonly replicationDelaysMs: readonly number[];
}

export interface EntraSetupResult {
  /** The API's appId (AUTH_AUDIENCE); undefined in a dry run that would create it. */
  readonly apiAppId: string | undefined;
  readonly changed: number;
  readonly unchanged: number;
}

type Verb = 'create' | 'add' | 'update' | 'set' | 'grant' | 'assign';
const PAST: Record<Verb, string> = {
  create: 'created',
  add: 'added',
  update: 'updated',
  set: 'set',
  grant: 'granted',
  assign: 'assigned',
};

class Report {
  changed = 0;
  unchanged = 0;
  constructor(
    private readonly out: (line: string) => void,
    private readonly dryRun: boolean,
  ) {}

  line(subject: string, status: Verb | 'unchanged', detail = ''): void {
    if (status === 'unchanged') this.unchanged++;
    else this.changed++;
    const word = status === 'unchanged' ? 'unchanged' : this.dryRun ? `would ${status}` : PAST[status];
    this.out(`${subject}: ${word}${detail ? ` ${detail}` : ''}`);
  }

  note(line: string): void {
    this.out(line);
  }
}

const isNotFound = (error: unknown): boolean => asGraphFailure(error)?.statusCode === 404;

/** A new object can take a few seconds to reach every directory replica; retry only the answers that lag causes. */
async function afterReplication<T>(delays: readonly number[], write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const failure = asGraphFailure(error);
      const lagging =
        failure?.statusCode === 404 ||
        (failure?.statusCode === 400 && /does not reference a valid application|does not exist/i.test(failure.message));
      const wait = delays[attempt];
      if (!lagging || wait === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Single quotes double inside an OData key literal. */
const keyLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

async function findApplication(client: Client, options: EntraSetupOptions): Promise<ApiApplication | undefined> {
  // Get application (application-get.md): GET /applications(appId='{appId}') or (uniqueName='{uniqueName}').
  const path = options.apiAppId
    ? `/applications(appId=${keyLiteral(options.apiAppId)})`
    : `/applications(uniqueName=${keyLiteral(options.uniqueName)})`;
  try {
    return (await client.api(path).get()) as ApiApplication;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    return explainGraphError(error, 'read the API app registration', READ_NEEDS);
  }
}

async function findServicePrincipal(client: Client, appId: string): Promise<ServicePrincipalView | undefined> {
  // List servicePrincipals (serviceprincipal-list.md): GET /servicePrincipals?$filter=appId eq '{appId}'.
  const page = (await client
    .api('/servicePrincipals')
    .filter(`appId eq ${keyLiteral(appId)}`)
    .get()
    .catch((e: unknown) => explainGraphError(e, 'read service principals', READ_NEEDS))) as {
    value?: ServicePrincipalView[];
  };
  return page.value?.[0];
}

interface ServicePrincipalView extends ServicePrincipal {
  readonly appRoleAssignmentRequired?: boolean;
}

/** Step 1: the registration, created through the upsert when missing, then brought to the wanted state. */
async function ensureApplication(
  client: Client,
  options: EntraSetupOptions,
  report: Report,
): Promise<{ app: ApiApplication | undefined; roleIds: Readonly<Record<Role, string>> }> {
  const clients = new Map<string, string>([
    [PREAUTHORIZED_PUBLIC_CLIENTS.azureCli, 'Azure CLI'],
    [PREAUTHORIZED_PUBLIC_CLIENTS.graphPowerShell, 'Microsoft Graph PowerShell'],
    ...options.extraClients.map((id): [string, string] => [id.toLowerCase(), 'connector']),
  ]);
  const subject = options.apiAppId ? `API app ${options.apiAppId}` : `API app ${options.uniqueName}`;
  let app = await findApplication(client, options);
  const createdNow = !app;
  if (!app && options.apiAppId) {
    throw new GrantError(`${subject}: no app registration with this appId in the tenant (check AUTH_AUDIENCE)`);
  }
  if (!app) {
    if (options.dryRun) {
      report.line(subject, 'create');
      const plan = planApiApplication({ id: '', appId: '<new appId>' }, clients);
      for (const item of plan.items)
        report.line(`API app: ${item.label}`, item.status === 'unchanged' ? 'unchanged' : item.status);
      return { app: undefined, roleIds: plan.roleIds };
    }
    // Upsert application (application-upsert.md): PATCH /applications(uniqueName='…') with Prefer: create-if-missing
    // answers 201 and the new object. The first plan below fills in what needs the new appId (the identifier URI).
    const createBody: Record<string, unknown> = { ...planApiApplication({ id: '', appId: '' }, new Map()).patch };
    delete createBody.identifierUris;
    const created = (await client
      .api(`/applications(uniqueName=${keyLiteral(options.uniqueName)})`)
      .header('Prefer', 'create-if-missing')
      .patch({
        displayName: options.displayName,
        signInAudience: 'AzureADMyOrg',
        ...createBody,
      })
      .catch((e: unknown) =>
        explainGraphError(e, 'create the API app registration', APP_WRITE_NEEDS, APP_WRITERS),
      )) as ApiApplication;
    report.line(subject, 'create', `(appId ${created.appId}, object id ${created.id})`);
    // Reported against an empty registration: everything below is new, whichever request sets it.
    const fresh = planApiApplication({ id: created.id, appId: created.appId }, clients);
    for (const item of fresh.items)
      report.line(`API app: ${item.label}`, item.status === 'unchanged' ? 'unchanged' : item.status);
    app = created;
  } else {
    report.line(subject, 'unchanged', `(found: appId ${app.appId}, object id ${app.id})`);
  }
  const plan = planApiApplication(app, clients);
  if (!createdNow) {
    for (const item of plan.items)
      report.line(`API app: ${item.label}`, item.status === 'unchanged' ? 'unchanged' : item.status);
  }
  if (!options.dryRun) {
    const id = app.id;
    // Update application (application-update.md): PATCH /applications/{id}; 204 No Content.
    for (const body of [plan.patch, plan.preAuthorizePatch]) {
      if (!body) continue;
      await afterReplication(options.replicationDelaysMs, () => client.api(`/applications/${id}`).patch(body)).catch(
        (e: unknown) => explainGraphError(e, 'update the API app registration', APP_WRITE_NEEDS, APP_WRITERS),
      );
    }
  }
  return { app, roleIds: plan.roleIds };
}

/** Step 2: the registration's service principal, with assignment required (only assigned callers get tokens). */
async function ensureServicePrincipal(
  client: Client,
  app: ApiApplication | undefined,
  options: EntraSetupOptions,
  report: Report,
): Promise<ServicePrincipalView | undefined> {
  const existing = app ? await findServicePrincipal(client, app.appId) : undefined;
  if (!existing) {
    if (options.dryRun || !app) {
      report.line('API service principal', 'create', 'with assignment required');
      return undefined;
    }
    // Create servicePrincipal (serviceprincipal-post-serviceprincipals.md): POST /servicePrincipals.
    const created = (await afterReplication(options.replicationDelaysMs, () =>
      client.api('/servicePrincipals').post({ appId: app.appId, appRoleAssignmentRequired: true }),
    ).catch((e: unknown) =>
      explainGraphError(e, 'create the API service principal', APP_WRITE_NEEDS, APP_WRITERS),
    )) as ServicePrincipalView;
    report.line('API service principal', 'create', `with assignment required (object id ${created.id})`);
    return created;
  }
  if (existing.appRoleAssignmentRequired === true) {
    report.line('API service principal: assignment required', 'unchanged', `(object id ${existing.id})`);
  } else {
    report.line('API service principal: assignment required', 'set', `(object id ${existing.id})`);
    if (!options.dryRun) {
      // Update servicePrincipal (serviceprincipal-update.md): PATCH /servicePrincipals/{id}; 204 No Content.
      await client
        .api(`/servicePrincipals/${existing.id}`)
        .patch({ appRoleAssignmentRequired: true })
        .catch((e: unknown) => explainGraphError(e, 'require assignment on the API', APP_WRITE_NEEDS, APP_WRITERS));
    }
  }
  return existing;
}

/** Step 3: the worker's Graph application permissions; the intake must hold none (it needs none). */
async function ensureWorkerGrants(client: Client, options: EntraSetupOptions, report: Report): Promise<void> {
  if (options.worker === undefined && options.intake === undefined) return;
  const graph = await resolveServicePrincipalByAppId(client, GRAPH_APP_ID, 'Microsoft Graph');
  if (options.worker !== undefined) {
    const worker = await resolveServicePrincipal(client, options.worker, 'worker principal');
    const plan = await planGrants(client, worker, graph, workerGraphPermissions);
    for (const role of plan.present) report.line(`worker: Graph permission ${role.value}`, 'unchanged');
    for (const role of plan.extra) {
      report.note(
        `worker: warning: also holds ${role.value}, which the service does not need: remove it (least privilege)`,
      );
    }
    if (options.dryRun) for (const role of plan.missing) report.line(`worker: Graph permission ${role.value}`, 'grant');
    else {
      const result = await applyGrants(client, plan);
      for (const role of result.granted) report.line(`worker: Graph permission ${role.value}`, 'grant');
      for (const role of result.raced) report.line(`worker: Graph permission ${role.value}`, 'unchanged');
    }
  }
  if (options.intake !== undefined) {
    const intake = await resolveServicePrincipal(client, options.intake, 'intake principal');
    const held = (await planGrants(client, intake, graph, [])).extra;
    if (held.length > 0) {
      throw new GrantError(
        `the intake's identity (${intake.id}) holds Graph permissions it must not have: ` +
          `${held.map((r) => r.value).join(', ')}. Remove them (Enterprise applications → the identity → Permissions).`,
      );
    }
    report.line('intake: no Graph permission (it needs none)', 'unchanged');
  }
}

interface Assignment {
  readonly principalId: string;
  readonly appRoleId: string;
}

async function listAssignedTo(client: Client, resourceId: string): Promise<Assignment[]> {
  const out: Assignment[] = [];
  // List appRoleAssignedTo (serviceprincipal-list-approleassignedto.md), following @odata.nextLink.
  let next: string | undefined = `/servicePrincipals/${resourceId}/appRoleAssignedTo`;
  while (next) {
    const page = (await client
      .api(next)
      .get()
      .catch((e: unknown) => explainGraphError(e, 'list the API role assignments', READ_NEEDS))) as {
      value?: Assignment[];
      '@odata.nextLink'?: string;
    };
    out.push(...(page.value ?? []));
    next = page['@odata.nextLink'];
  }
  return out;
}

/** The object id of an assignment's principal. People are printed by object id, never by UPN. */
async function resolvePrincipal(client: Client, a: CallerAssignment): Promise<{ id: string; label: string }> {
  if (a.kind === 'app') {
    const sp = await resolveServicePrincipal(client, a.key, 'caller app');
    return { id: sp.id, label: `app ${sp.id}` };
  }
  // Get user (user-get.md): GET /users/{id | userPrincipalName}; get group (group-get.md): GET /groups/{id}.
  const path = a.kind === 'user' ? `/users/${encodeURIComponent(a.key)}` : `/groups/${encodeURIComponent(a.key)}`;
  try {
    const found = (await client.api(path).select('id').get()) as { id: string };
    return { id: found.id, label: `${a.kind} ${found.id}` };
  } catch (error) {
    if (isNotFound(error) || asGraphFailure(error)?.statusCode === 400) {
      throw new GrantError(`caller ${a.kind} '${a.key}': not found in the tenant`);
    }
    return explainGraphError(
      error,
      `read the ${a.kind} to assign`,
      a.kind === 'user' ? 'User.Read.All' : 'GroupMember.Read.All',
    );
  }
}

/** Step 4: caller role assignments on the API (apps, people, groups), through appRoleAssignedTo. */
async function ensureCallers(
  client: Client,
  api: ServicePrincipalView | undefined,
  roleIds: Readonly<Record<Role, string>>,
  options: EntraSetupOptions,
  report: Report,
): Promise<void> {
  if (options.assignments.length === 0) return;
  const held = api ? await listAssignedTo(client, api.id) : [];
  for (const a of options.assignments) {
    const principal = await resolvePrincipal(client, a);
    const appRoleId = roleIds[a.role];
    const subject = `caller ${principal.label}: ${a.role}`;
    const present = held.some(
      (h) => h.principalId.toLowerCase() === principal.id.toLowerCase() && h.appRoleId.toLowerCase() === appRoleId,
    );
    if (present) {
      report.line(subject, 'unchanged');
      continue;
    }
    report.line(subject, 'assign');
    if (options.dryRun || !api) continue;
    // Grant an appRoleAssignment for a service principal (serviceprincipal-post-approleassignedto.md).
    await afterReplication(options.replicationDelaysMs, () =>
      client
        .api(`/servicePrincipals/${api.id}/appRoleAssignedTo`)
        .post({ principalId: principal.id, resourceId: api.id, appRoleId }),
    ).catch((e: unknown) => explainGraphError(e, `assign ${a.role}`, ASSIGN_NEEDS));
    held.push({ principalId: principal.id, appRoleId });
  }
}

export async function setupEntra(
  client: Client,
  options: EntraSetupOptions,
  out: (line: string) => void,
): Promise<EntraSetupResult> {
  const report = new Report(out, options.dryRun);
  const { app, roleIds } = await ensureApplication(client, options, report);
  const sp = await ensureServicePrincipal(client, app, options, report);
  await ensureWorkerGrants(client, options, report);
  await ensureCallers(client, sp, roleIds, options, report);
  return { apiAppId: app?.appId, changed: report.changed, unchanged: report.unchanged };
}
