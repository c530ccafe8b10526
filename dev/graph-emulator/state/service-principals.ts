/** Service principals, their app roles and app-role assignments: the source of every token's `roles` claim. */
import { apiRoles } from '../../../src/lib/domain/index.js';
import { guidFrom, newGuid } from '../ids.js';
import type { TenantFixture } from '../types.js';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from '../types.js';
import { GRAPH_PERMISSIONS } from './permissions.js';

export interface AppRole {
  id: string;
  value: string;
  /** Graph's permissions go to applications only; the service's roles to people and groups as well. */
  allowedMemberTypes: string[];
  isEnabled: boolean;
  displayName: string;
  description: string;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: AppRole[];
  /** Set on service principals of app registrations created through Graph (state/applications.ts). */
  appRoleAssignmentRequired?: boolean;
  oauth2PermissionScopes?: unknown[];
  servicePrincipalNames?: string[];
}

/** Who an assignment is for, when it is not a service principal (appRoleAssignedTo may name users and groups). */
export interface AssignedPrincipal {
  displayName: string;
  type: 'User' | 'Group' | 'ServicePrincipal';
}

export interface AppRoleAssignment {
  id: string;
  principalId: string;
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  appRoleId: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal';
  createdDateTime: string;
}

const role = (id: string, value: string, what: string, forPeople = false): AppRole => ({
  id,
  value,
  allowedMemberTypes: forPeople ? ['User', 'Application'] : ['Application'],
  isEnabled: true,
  displayName: value,
  description: what,
});

export type AssignResult =
  { ok: true; assignment: AppRoleAssignment } | { ok: false; status: 400 | 404; code: string; message: string };

export class ServicePrincipals {
  readonly byId = new Map<string, ServicePrincipal>();
  readonly byAppId = new Map<string, ServicePrincipal>();
  /** principal SP id → assignment id → assignment */
  private readonly assignments = new Map<string, Map<string, AppRoleAssignment>>();
  private readonly created = '2024-01-15T09:00:00Z';

  constructor(tenantId: string, fixture: TenantFixture, apiAppId: string) {
    const graph: ServicePrincipal = {
      id: guidFrom(tenantId, 'sp', GRAPH_APP_ID),
      appId: GRAPH_APP_ID,
      displayName: 'Microsoft Graph',
      appRoles: Object.entries(GRAPH_PERMISSIONS).map(([value, id]) => role(id, value, `Graph permission ${value}`)),
    };
    // The service's own app roles (DESIGN §3); fixture apps may add more.
    const apiRoleNames = new Set<string>(apiRoles);
    for (const app of fixture.apps) {
      for (const [aud, roles] of Object.entries(app.roles ?? {})) {
        if (aud.toLowerCase() !== GRAPH_AUDIENCE) roles.forEach((r) => apiRoleNames.add(r));
      }
    }
    const apiApp = fixture.apps.find((a) => a.appId.toLowerCase() === apiAppId);
    const api: ServicePrincipal = {
      id: apiApp?.objectId?.toLowerCase() ?? guidFrom(tenantId, 'sp', apiAppId),
      appId: apiAppId,
      displayName: apiApp?.displayName ?? 'mfa-reset API',
      appRoles: [...apiRoleNames].map((v) => role(guidFrom(apiAppId, 'app-role', v), v, `mfa-reset ${v}`, true)),
    };
    this.add(graph);
    this.add(api);
    for (const app of fixture.apps) {
      const appId = app.appId.toLowerCase();
      if (appId === apiAppId) continue;
      this.add({
        id: app.objectId?.toLowerCase() ?? guidFrom(tenantId, 'sp', appId),
        appId,
        displayName: app.displayName,
        appRoles: [],
      });
    }
    if (!this.byAppId.has(fixture.managedIdentityAppId.toLowerCase())) {
      const appId = fixture.managedIdentityAppId.toLowerCase();
      this.add({ id: guidFrom(tenantId, 'sp', appId), appId, displayName: 'mfa-reset worker identity', appRoles: [] });
    }
    for (const app of fixture.apps) {
      const principal = this.byAppId.get(app.appId.toLowerCase()) as ServicePrincipal;
      for (const [aud, roles] of Object.entries(app.roles ?? {})) {
        const resource = aud.toLowerCase() === GRAPH_AUDIENCE ? graph : api;
        for (const value of roles) {
          const appRole = resource.appRoles.find((r) => r.value === value);
          if (!appRole) throw new Error(`app ${app.appId}: unknown role '${value}' for audience ${aud}`);
          this.assign(
            principal.id,
            resource.id,
            appRole.id,
            guidFrom(principal.id, resource.id, appRole.id),
            this.created,
          );
        }
      }
    }
  }

  add(sp: ServicePrincipal): void {
    this.byId.set(sp.id, sp);
    this.byAppId.set(sp.appId, sp);
  }

  assignmentsOf(principalId: string): AppRoleAssignment[] {
    return [...(this.assignments.get(principalId)?.values() ?? [])];
  }

  assign(
    principalId: string,
    resourceId: string,
    appRoleId: string,
    id = newGuid(),
    createdDateTime = new Date().toISOString(),
    other?: AssignedPrincipal,
  ): AssignResult {
    const sp = this.byId.get(principalId);
    const principal = sp ? { displayName: sp.displayName, type: 'ServicePrincipal' as const } : other;
    const resource = this.byId.get(resourceId);
    if (!principal) return { ok: false, status: 404, code: 'Request_ResourceNotFound', message: notFound(principalId) };
    if (!resource) return { ok: false, status: 404, code: 'Request_ResourceNotFound', message: notFound(resourceId) };
    const appRole = resource.appRoles.find((r) => r.id === appRoleId);
    if (!appRole) {
      return {
        ok: false,
        status: 400,
        code: 'Request_BadRequest',
        message: 'Permission being assigned was not found on application',
      };
    }
    const mine = this.assignments.get(principalId) ?? new Map<string, AppRoleAssignment>();
    for (const a of mine.values()) {
      if (a.resourceId === resourceId && a.appRoleId === appRoleId) {
        return {
          ok: false,
          status: 400,
          code: 'Request_BadRequest',
          message: 'Permission being assigned already exists on the object.',
        };
      }
    }
    const assignment: AppRoleAssignment = {
      id,
      principalId,
      principalDisplayName: principal.displayName,
      principalType: principal.type,
      resourceId,
      resourceDisplayName: resource.displayName,
      appRoleId,
      createdDateTime,
    };
    mine.set(id, assignment);
    this.assignments.set(principalId, mine);
    return { ok: true, assignment };
  }

  /** Every assignment of one of the resource's app roles, to any principal (appRoleAssignedTo). */
  assignedTo(resourceId: string): AppRoleAssignment[] {
    const out: AppRoleAssignment[] = [];
    for (const mine of this.assignments.values()) {
      for (const a of mine.values()) if (a.resourceId === resourceId) out.push(a);
    }
    return out;
  }

  unassign(principalId: string, assignmentId: string): boolean {
    return this.assignments.get(principalId)?.delete(assignmentId) ?? false;
  }

  /** Role values the app holds on the resource (Graph or the API): what a token issued now carries. */
  rolesFor(appId: string, resourceAppId: string): string[] {
    const principal = this.byAppId.get(appId.toLowerCase());
    const resource = this.byAppId.get(resourceAppId.toLowerCase());
    if (!principal || !resource) return [];
    const out: string[] = [];
    for (const a of this.assignments.get(principal.id)?.values() ?? []) {
      if (a.resourceId !== resource.id) continue;
      const r = resource.appRoles.find((x) => x.id === a.appRoleId);
      if (r) out.push(r.value);
    }
    return out;
  }
}

const notFound = (id: string): string =>
  `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`;
