// The domain's GraphPort on @microsoft/microsoft-graph-client. Every call goes through our throttle-and-retry
// middleware and the process-wide adaptive limiter; responses are read raw so that request-ids are kept on success
// too, and reduced to ids and types (graph-answers.ts) before they leave the adapter (no phone numbers or e-mail
// addresses). Error answers become the domain's failures (graph-errors.ts): the engine never sees a status code.
import type { TokenCredential } from '@azure/identity';
import { readAllPages } from './strict-pages.js';
import type { Client } from '@microsoft/microsoft-graph-client';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type {
  DeleteResult,
  GraphCallContext,
  GraphMethod,
  GraphPort,
  GraphUser,
  GroupEligibility,
  MethodTypeName,
  PreferredMethodValue,
  SignInPreferences,
  UserPrivilegeFacts,
} from '../domain/index.js';
import {
  GraphTransportError,
  RetryLaterError,
  isDeletable,
  isGuid,
  isMethodTypeName,
  isUserKey,
} from '../domain/index.js';
import { AdaptiveLimiter } from './adaptive-limiter.js';
import { createGraphClient, normaliseGraphBaseUrl } from './graph-client.js';
import { errorOfAnswer } from './graph-errors.js';
import { graphPermissions } from './graph-permissions.js';
import { asRecord, errorBody, toMethod } from './graph-answers.js';
import type { GraphMethodType, GraphVersion } from './method-catalogue.js';
import { deleteOperation, deletePath, graphMethodTypes } from './method-catalogue.js';
import { GraphCallOptions } from './throttle-retry-handler.js';
import type { ThrottleRetryOptions } from './throttle-retry-handler.js';
import { PrivilegeReads } from './privilege-reads.js';
import { encodeUserKey } from './user-key.js';
import { WriteBudgetGate } from './write-budget-gate.js';
import type { WriteBudgetGateOptions } from './write-budget-gate.js';

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
  /** Graph's write budget: the shared record, its cache and the pacing (default: local gate, default pacing). */
  readonly writeBudget?: WriteBudgetGateOptions;
  /** Retry tuning (tests and benchmarks). */
  readonly retry?: Partial<Omit<ThrottleRetryOptions, 'limiter' | 'maxWaitMs' | 'writeGate'>>;
  readonly scope?: string;
  /** Pages a guard read follows before it counts as cut short (default privilege-reads.ts defaultGuardPageCap). */
  readonly guardPageCap?: number;
}

/** A GraphPort plus what operators and tests may want to look at. */
export interface GraphPortWithStats extends GraphPort {
  readonly limiter: AdaptiveLimiter;
  /** The write gate, shared deadline and paced write rate (for operators and tests). */
  readonly writeBudget: WriteBudgetGate;
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
  /** Extra request headers, e.g. `ConsistencyLevel: eventual` where a page requires it. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * When the retries for a failure on Graph's side that came without a Retry-After (5xx, no answer) run out: hand the
   * wait to the caller as a RetryLaterError (default), or fail (false: the guard's reads, which fail closed). A wait
   * Graph asked for (a 429, or a 5xx with Retry-After) is always handed on.
   */
  readonly deferFailures?: boolean;
  readonly ctx?: GraphCallContext;
}

export interface GraphSendResult {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly attempts: number;
}

/** A user has a handful of methods; a method list that pages more than this is not one to act on. */
const methodPageCap = 20;

export function createGraphPort(options: GraphPortOptions): GraphPortWithStats {
  const limiter = options.limiter ?? new AdaptiveLimiter({ maxConcurrency: options.maxConcurrency });
  const writeGate = new WriteBudgetGate(options.writeBudget);
  const client = createGraphClient({
    baseUrl: options.baseUrl,
    credential: options.credential,
    scope: options.scope,
    retry: { ...options.retry, limiter, writeGate, maxWaitMs: options.maxWaitMs },
  });
  return new GraphAdapter(
    client,
    limiter,
    writeGate,
    options.maxWaitMs,
    normaliseGraphBaseUrl(options.baseUrl),
    options,
  );
}

class GraphAdapter implements GraphPortWithStats {
  /** The guard's reads, paged strictly (privilege-reads.ts). */
  private readonly privilege: PrivilegeReads;

  constructor(
    private readonly client: Client,
    readonly limiter: AdaptiveLimiter,
    readonly writeBudget: WriteBudgetGate,
    private readonly maxWaitMs: number,
    private readonly root: URL,
    options: Pick<GraphPortOptions, 'guardPageCap'>,
  ) {
    this.privilege = new PrivilegeReads(
      (request) => this.expect({ method: 'GET', ...request }),
      root,
      options.guardPageCap,
    );
  }

  writeQuotaWaitMs(): number {
    // The worker asks before it claims an item: refresh the shared deadline in the background (at most once per
    // cache period), so an instance that is not writing still learns of a deadline before it reads for a new item.
    void this.writeBudget.remainingMs();
    const remaining = this.writeBudget.remainingNowMs();
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
    Object.assign(headers, request.headers);
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
      if (call.deferMs !== undefined && request.deferFailures !== false) throw new RetryLaterError(call.deferMs);
      const idempotent = call.idempotent ?? request.method !== 'POST';
      throw new GraphTransportError(request.operation, call.transportError ?? error, !idempotent);
    }
    const requestId = response.headers.get('request-id') ?? undefined;
    const asked = response.status === 429 || response.headers.has('retry-after');
    const handOn = asked || (response.status >= 500 && request.deferFailures !== false);
    if (call.deferMs !== undefined && handOn) {
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

  /** send() that turns any non-2xx answer (except the statuses the caller accepts) into the domain's failure. */
  private async expect(request: GraphSendRequest, accept: readonly number[] = []): Promise<GraphSendResult> {
    const result = await this.send(request);
    if ((result.status >= 200 && result.status < 300) || accept.includes(result.status)) return result;
    throw errorOfAnswer(request, result, errorBody(result.body));
  }

  // Graph docs: "Get user" (api/user-get, v1.0).
  async getUser(key: string, ctx?: GraphCallContext): Promise<GraphUser | null> {
    if (!isUserKey(key)) throw new TypeError('A user key must be a UPN or an object id (GUID)');
    const result = await this.expect(
      {
        method: 'GET',
        version: 'v1.0',
        path: `/users/${encodeUserKey(key)}?$select=id,userPrincipalName,accountEnabled,userType,externalUserState`,
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
      externalUserState: typeof body.externalUserState === 'string' ? body.externalUserState : null,
    };
  }

  // Graph docs: "List methods" (api/authentication-list-methods, v1.0).
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

  // Graph docs: "List hardwareOathMethods" (api/authentication-list-hardwareoathmethods, beta).
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

  // Graph docs: "Get authentication" with signInPreferences (api/authentication-get, beta).
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

  // Graph docs: "Update authentication" with signInPreferences (api/authentication-update, beta).
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

  // Graph docs: the type's own delete page, e.g. api/phoneauthenticationmethod-delete or
  // api/authentication-delete-externalauthenticationmethods (research graph-auth-methods §2.1 names each).
  async deleteMethod(
    userId: string,
    method: { readonly type: MethodTypeName; readonly id: string },
    ctx?: GraphCallContext,
  ): Promise<DeleteResult> {
    const type: string = method.type;
    if (!isMethodTypeName(type) || !isDeletable(type)) throw new TypeError(`Method type ${type} cannot be deleted`);
    const row: GraphMethodType = graphMethodTypes[type];
    const result = await this.expect(
      {
        method: 'DELETE',
        version: row.deleteVersion,
        path: deletePath(type, userId, method.id),
        operation: deleteOperation(type),
        permissions: row.granularWrite
          ? [...graphPermissions.writeMethods, row.granularWrite]
          : graphPermissions.writeMethods,
        ctx,
      },
      [404],
    );
    return result.status === 404 ? 'not_found' : 'deleted';
  }

  // Graph docs: "user: revokeSignInSessions" (api/user-revokesigninsessions, v1.0).
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

  // The guard's reads: privilege-reads.ts names each call's doc page.
  readUserPrivilege(userId: string, ctx?: GraphCallContext): Promise<UserPrivilegeFacts> {
    return this.privilege.readUserPrivilege(userId, ctx);
  }

  listRoleAssignableGroups(ctx?: GraphCallContext): Promise<string[]> {
    return this.privilege.listRoleAssignableGroups(ctx);
  }

  listGroupEligibilities(groupId: string, ctx?: GraphCallContext): Promise<GroupEligibility[]> {
    return this.privilege.listGroupEligibilities(groupId, ctx);
  }

  listNestedGroups(groupId: string, ctx?: GraphCallContext): Promise<string[]> {
    return this.privilege.listNestedGroups(groupId, ctx);
  }

  /** GET a collection whole (strict-pages.ts): a page cut short or sent elsewhere fails the call, never a shorter list. */
  private listAll(
    version: GraphVersion,
    firstPath: string,
    operation: string,
    permissions: readonly string[],
    ctx: GraphCallContext | undefined,
  ): Promise<Record<string, unknown>[]> {
    return readAllPages(
      { version, firstPath, operation, root: this.root, pageCap: methodPageCap },
      async (path) => (await this.expect({ method: 'GET', version, path, operation, permissions, ctx })).body,
    );
  }
}
