// GraphPort on @microsoft/microsoft-graph-client. Every call goes through our throttle-and-retry middleware and the
// process-wide adaptive limiter; responses are read raw so that request-ids are kept on success too, and reduced to
// ids and types before they leave this file (no phone numbers or e-mail addresses).
import type { TokenCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { RetryLaterError } from '../reset/contract.js';
import { AdaptiveLimiter } from './adaptive-limiter.js';
import { createGraphClient } from './graph-client.js';
import { WriteGate } from './write-gate.js';
import { GraphRequestError, GraphTransportError } from './graph-errors.js';
import { granularWritePermission, graphPermissions } from './graph-permissions.js';
import type {
  DeleteResult,
  DirectoryMembership,
  GraphCallContext,
  GraphMethod,
  GraphPort,
  GraphUser,
  RoleAssignmentRef,
  SignInPreferences,
} from './graph-port.js';
import type { GraphVersion, PhoneType, PreferredMethodValue } from './method-catalogue.js';
import { catalogueEntry, deletePath, entryForOdataType, phoneTypeOfId } from './method-catalogue.js';
import { GraphCallOptions } from './throttle-retry-handler.js';
import type { ThrottleRetryOptions } from './throttle-retry-handler.js';
import { encodeUserKey, filterGuid, isGuid, isUserKey } from './user-key.js';

export interface GraphPortOptions {
  /** GRAPH_BASE_URL, e.g. https://graph.microsoft.com or the emulator's URL. */
  readonly baseUrl: string;
  readonly credential: TokenCredential;
  /** Ceiling of the adaptive concurrent-calls limit (GRAPH_MAX_CONCURRENCY). */
  readonly maxConcurrency: number;
  /** A wait Graph asks for beyond this is handed to the caller as RetryLaterError (GRAPH_MAX_WAIT_SECONDS × 1000). */
  readonly maxWaitMs: number;
  /** Share one limiter between ports (default: a new one per port; make one port per process). */
  readonly limiter?: AdaptiveLimiter;
  /** Retry tuning (tests and benchmarks). */
  readonly retry?: Partial<Omit<ThrottleRetryOptions, 'limiter' | 'maxWaitMs' | 'writeGate'>>;
  readonly scope?: string;
}

/** A GraphPort plus what operators and tests may want to look at. */
export interface GraphPortWithStats extends GraphPort {
  readonly limiter: AdaptiveLimiter;
  /**
   * How long a write would be handed back to the caller right now because Graph said its write quota is spent for
   * longer than the in-call wait budget (0: writes may be sent, or waited for inside the call).
   */
  writeQuotaWaitMs(): number;
  /** Low-level call for tests and tools: one request through the same chain, answer returned raw. */
  send(request: GraphSendRequest): Promise<GraphSendResult>;
}

export interface GraphSendRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly version: GraphVersion;
  /** Path after the version, e.g. `/users/{id}`; already encoded. */
  readonly path: string;
  readonly body?: unknown;
  readonly idempotent?: boolean;
  /** For error messages: the call with placeholders (never a user key). */
  readonly operation: string;
  readonly permissions: readonly string[];
  readonly ctx?: GraphCallContext;
}

export interface GraphSendResult {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly attempts: number;
}

export function createGraphPort(options: GraphPortOptions): GraphPortWithStats {
  const limiter = options.limiter ?? new AdaptiveLimiter({ maxConcurrency: options.maxConcurrency });
  const writeGate = new WriteGate();
  const client = createGraphClient({
    baseUrl: options.baseUrl,
    credential: options.credential,
    scope: options.scope,
    retry: { ...options.retry, limiter, writeGate, maxWaitMs: options.maxWaitMs },
  });
  return new GraphAdapter(client, limiter, writeGate, options.maxWaitMs);
}

class GraphAdapter implements GraphPortWithStats {
  constructor(
    private readonly client: Client,
    readonly limiter: AdaptiveLimiter,
    private readonly writeGate: WriteGate,
    private readonly maxWaitMs: number,
  ) {}

  writeQuotaWaitMs(): number {
    const remaining = this.writeGate.remainingMs();
    return remaining > this.maxWaitMs ? remaining : 0;
  }

  async send(request: GraphSendRequest): Promise<GraphSendResult> {
    const ctx = request.ctx;
    const call = new GraphCallOptions({
      idempotent: request.idempotent,
      signal: ctx?.signal,
      onRequestId: ctx?.onRequestId,
    });
    const headers: Record<string, string> = {};
    if (ctx?.correlationId && isGuid(ctx.correlationId)) headers['client-request-id'] = ctx.correlationId;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    const builder = this.client
      .api(request.path)
      .version(request.version)
      .headers(headers)
      .responseType(ResponseType.RAW)
      .middlewareOptions([call]);
    let response: Response;
    try {
      switch (request.method) {
        case 'GET':
          response = (await builder.get()) as Response;
          break;
        case 'POST':
          response = (await builder.post(request.body ?? null)) as Response;
          break;
        case 'PATCH':
          response = (await builder.patch(request.body)) as Response;
          break;
        case 'DELETE':
          response = (await builder.delete()) as Response;
          break;
      }
    } catch (error) {
      ctx?.signal?.throwIfAborted();
      if (call.deferMs !== undefined) throw new RetryLaterError(call.deferMs);
      const idempotent = call.idempotent ?? request.method !== 'POST';
      throw new GraphTransportError(request.operation, call.transportError ?? error, !idempotent);
    }
    const requestId = response.headers.get('request-id') ?? undefined;
    if (call.deferMs !== undefined && (response.status === 429 || response.status >= 500)) {
      await response.body?.cancel().catch(() => undefined);
      throw new RetryLaterError(call.deferMs);
    }
    const text = await response.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: response.status, body, requestId, attempts: call.attempts };
  }

  /** send() that turns any non-2xx answer (except the statuses the caller accepts) into a GraphRequestError. */
  private async expect(request: GraphSendRequest, accept: readonly number[] = []): Promise<GraphSendResult> {
    const result = await this.send(request);
    if ((result.status >= 200 && result.status < 300) || accept.includes(result.status)) return result;
    const error = errorBody(result.body);
    throw new GraphRequestError(
      request.operation,
      result.status,
      error.code,
      error.message,
      result.requestId ?? error.requestId,
      request.permissions,
    );
  }

  async getUser(key: string, ctx?: GraphCallContext): Promise<GraphUser | null> {
    if (!isUserKey(key)) throw new TypeError('A user key must be a UPN or an object id (GUID)');
    const result = await this.expect(
      {
        method: 'GET',
        version: 'v1.0',
        path: `/users/${encodeUserKey(key)}?$select=id,userPrincipalName,accountEnabled,userType`,
        operation: 'GET /users/{key}',
        permissions: graphPermissions.readUser,
        ctx,
      },
      [404],
    );
    if (result.status === 404) return null;
    const body = asRecord(result.body);
    const id = typeof body.id === 'string' ? body.id : '';
    if (!isGuid(id)) throw new Error('Microsoft Graph returned a user without a valid object id');
    return {
      id,
      userPrincipalName: typeof body.userPrincipalName === 'string' ? body.userPrincipalName : '',
      accountEnabled: typeof body.accountEnabled === 'boolean' ? body.accountEnabled : undefined,
      userType: typeof body.userType === 'string' ? body.userType : undefined,
    };
  }

  async listMethods(userId: string, ctx?: GraphCallContext): Promise<GraphMethod[]> {
    const values = await this.listAll(
      'v1.0',
      `/users/${encodeUserKey(userId)}/authentication/methods`,
      'GET /users/{id}/authentication/methods',
      graphPermissions.readMethods,
      ctx,
    );
    return values.map((v) => toMethod(v, undefined)).filter((m): m is GraphMethod => m !== undefined);
  }

  async listHardwareOathMethods(userId: string, ctx?: GraphCallContext): Promise<GraphMethod[]> {
    const values = await this.listAll(
      'beta',
      `/users/${encodeUserKey(userId)}/authentication/hardwareOathMethods`,
      'GET /beta/users/{id}/authentication/hardwareOathMethods',
      graphPermissions.readMethods,
      ctx,
    );
    return values
      .map((v) => toMethod(v, '#microsoft.graph.hardwareOathAuthenticationMethod'))
      .filter((m): m is GraphMethod => m !== undefined);
  }

  async getSignInPreferences(userId: string, ctx?: GraphCallContext): Promise<SignInPreferences> {
    const result = await this.expect({
      method: 'GET',
      version: 'beta',
      path: `/users/${encodeUserKey(userId)}/authentication/signInPreferences`,
      operation: 'GET /beta/users/{id}/authentication/signInPreferences',
      permissions: graphPermissions.readMethods,
      ctx,
    });
    const body = asRecord(result.body);
    const preferred = body.userPreferredMethodForSecondaryAuthentication;
    const system = body.isSystemPreferredAuthenticationMethodEnabled;
    return {
      userPreferredMethodForSecondaryAuthentication: typeof preferred === 'string' ? preferred : null,
      isSystemPreferredAuthenticationMethodEnabled: typeof system === 'boolean' ? system : null,
    };
  }

  async setPreferredMethod(userId: string, value: PreferredMethodValue, ctx?: GraphCallContext): Promise<void> {
    await this.expect({
      method: 'PATCH',
      version: 'beta',
      path: `/users/${encodeUserKey(userId)}/authentication/signInPreferences`,
      body: { userPreferredMethodForSecondaryAuthentication: value },
      operation: 'PATCH /beta/users/{id}/authentication/signInPreferences',
      permissions: graphPermissions.writeMethods,
      ctx,
    });
  }

  async deleteMethod(
    userId: string,
    method: { readonly type: string; readonly id: string },
    ctx?: GraphCallContext,
  ): Promise<DeleteResult> {
    const entry = catalogueEntry(method.type);
    if (!entry || !entry.deletable) throw new TypeError(`Method type ${method.type} cannot be deleted`);
    const granular = granularWritePermission[entry.name];
    const result = await this.expect(
      {
        method: 'DELETE',
        version: entry.deleteVersion,
        path: deletePath(entry, userId, method.id),
        operation: `DELETE ${entry.deleteVersion === 'beta' ? '/beta' : ''}/users/{id}/authentication/${entry.deleteSegment}${entry.singleton ? '' : '/{id}'}`,
        permissions: granular ? [...graphPermissions.writeMethods, granular] : graphPermissions.writeMethods,
        ctx,
      },
      [404],
    );
    return result.status === 404 ? 'not_found' : 'deleted';
  }

  async revokeSignInSessions(userId: string, ctx?: GraphCallContext): Promise<void> {
    await this.expect({
      method: 'POST',
      version: 'v1.0',
      path: `/users/${encodeUserKey(userId)}/revokeSignInSessions`,
      // Revoking twice has the same effect as once: safe to repeat after a dropped connection.
      idempotent: true,
      operation: 'POST /users/{id}/revokeSignInSessions',
      permissions: graphPermissions.revokeSessions,
      ctx,
    });
  }

  async listRoleAssignments(userId: string, ctx?: GraphCallContext): Promise<RoleAssignmentRef[]> {
    const values = await this.listAll(
      'v1.0',
      `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${filterGuid(userId)}'`)}`,
      'GET /roleManagement/directory/roleAssignments',
      graphPermissions.readRoleAssignments,
      ctx,
    );
    return values.map(toRoleRef);
  }

  async listRoleEligibilities(userId: string, ctx?: GraphCallContext): Promise<RoleAssignmentRef[]> {
    const values = await this.listAll(
      'v1.0',
      `/roleManagement/directory/roleEligibilityScheduleInstances?$filter=${encodeURIComponent(`principalId eq '${filterGuid(userId)}'`)}`,
      'GET /roleManagement/directory/roleEligibilityScheduleInstances',
      graphPermissions.readRoleEligibility,
      ctx,
    );
    return values.map(toRoleRef);
  }

  async listTransitiveMemberships(userId: string, ctx?: GraphCallContext): Promise<DirectoryMembership[]> {
    const values = await this.listAll(
      'v1.0',
      `/users/${encodeUserKey(filterGuid(userId))}/transitiveMemberOf?$select=id&$top=999`,
      'GET /users/{id}/transitiveMemberOf',
      graphPermissions.readGroupMembership,
      ctx,
    );
    return values.map((v) => {
      const odataType = typeof v['@odata.type'] === 'string' ? v['@odata.type'].toLowerCase() : '';
      return {
        id: typeof v.id === 'string' ? v.id.toLowerCase() : '',
        kind:
          odataType === '#microsoft.graph.group'
            ? 'group'
            : odataType === '#microsoft.graph.directoryrole'
              ? 'directoryRole'
              : 'other',
      };
    });
  }

  /** GET a collection, following @odata.nextLink (only to the same host and version). */
  private async listAll(
    version: GraphVersion,
    firstPath: string,
    operation: string,
    permissions: readonly string[],
    ctx: GraphCallContext | undefined,
  ): Promise<Record<string, unknown>[]> {
    const values: Record<string, unknown>[] = [];
    let path: string | undefined = firstPath;
    for (let page = 0; path !== undefined && page < 100; page++) {
      const result = await this.expect({ method: 'GET', version, path, operation, permissions, ctx });
      const body = asRecord(result.body);
      if (Array.isArray(body.value)) {
        for (const item of body.value) values.push(asRecord(item));
      }
      path = nextPath(body['@odata.nextLink'], version);
    }
    return values;
  }
}

function nextPath(link: unknown, version: GraphVersion): string | undefined {
  if (typeof link !== 'string') return undefined;
  const url = new URL(link);
  const prefix = `/${version}`;
  const index = url.pathname.indexOf(prefix + '/');
  if (index < 0) return undefined;
  return url.pathname.slice(index + prefix.length) + url.search;
}

function toMethod(value: Record<string, unknown>, fallbackType: string | undefined): GraphMethod | undefined {
  const odataType = typeof value['@odata.type'] === 'string' ? value['@odata.type'] : fallbackType;
  const id = typeof value.id === 'string' ? value.id : undefined;
  if (!odataType || !id) return undefined;
  const entry = entryForOdataType(odataType);
  let phoneType: PhoneType | undefined;
  if (entry?.name === 'phone') {
    const declared = value.phoneType;
    phoneType =
      declared === 'mobile' || declared === 'alternateMobile' || declared === 'office' ? declared : phoneTypeOfId(id);
  }
  return { type: entry?.name, odataType, id, ...(phoneType ? { phoneType } : {}) };
}

function toRoleRef(value: Record<string, unknown>): RoleAssignmentRef {
  return {
    id: typeof value.id === 'string' ? value.id : '',
    roleDefinitionId: typeof value.roleDefinitionId === 'string' ? value.roleDefinitionId : '',
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function errorBody(body: unknown): { code?: string; message?: string; requestId?: string } {
  const error = asRecord(asRecord(body).error);
  const inner = asRecord(error.innerError);
  return {
    code: typeof error.code === 'string' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    requestId: typeof inner['request-id'] === 'string' ? inner['request-id'] : undefined,
  };
}
