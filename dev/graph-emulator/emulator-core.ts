/** The emulator's in-memory core: tenant state, token signing, throttling, faults and the request log. No sockets here. */
import { randomBytes } from 'node:crypto';
import type { DeviceFlowSettings } from './device-flow.js';
import { DEFAULT_DEVICE_FLOW, DeviceFlow } from './device-flow.js';
import { invalidToken, tooManyRequests, graphError } from './errors.js';
import { Faults } from './faults.js';
import { routeGraph } from './graph-router.js';
import type { Caller, GraphContext, GraphRequest, GraphResponse, Knobs } from './graph-types.js';
import { newGuid } from './ids.js';
import type { JwtClaims } from './jwt.js';
import { TokenSigner } from './jwt.js';
import { RequestLog } from './request-log.js';
import { appRolesOf } from './state/delegated-permissions.js';
import { TenantState } from './state/tenant-state.js';
import { requestCost, Throttle } from './throttle.js';
import type { EmulatorEnv, TenantFixture } from './types.js';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from './types.js';

export const TOKEN_LIFETIME_SECONDS = 3600;

/** "Requests to the authentication methods APIs time-out after 60 seconds" (authenticationmethods-overview.md). */
export const AUTH_METHODS_TIMEOUT_MS = 60_000;

const DEFAULT_KNOBS: Knobs = {
  staleReadsMs: 0,
  defaultBlockingKinds: null,
  pageSize: null,
  authMethodsTimeoutMs: AUTH_METHODS_TIMEOUT_MS,
  hardwareOathAppDelete: false,
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export interface IssueOptions {
  /** Seconds from now; negative gives an already expired token. */
  expiresIn?: number;
  /**
   * Override the roles claim (default: the app's current assignments on the resource; for a delegated token, the
   * person's app roles on the service's API).
   */
  roles?: string[];
  /** Override the aud claim (default: the resource's audience). */
  audience?: string;
  /**
   * A delegated token for this signed-in user: `idtyp` user, `oid` the user's, `scp`, and the user's
   * `preferred_username` and `name` as Entra ID puts them in (so tests can check that nobody copies them).
   */
  user?: { readonly id: string; readonly userPrincipalName: string; readonly displayName: string };
  /** The delegated token's `scp` (default `user_impersonation`). */
  scp?: string;
  /** Overrides `idtyp` (negative tests: an app token carrying `scp`). */
  idtyp?: 'app' | 'user';
}

export class EmulatorCore {
  state: TenantState;
  readonly signer = new TokenSigner();
  readonly throttle = new Throttle();
  readonly faults = new Faults();
  readonly log = new RequestLog();
  readonly knobs: Knobs = { ...DEFAULT_KNOBS };
  readonly identityHeader = randomBytes(16).toString('hex');
  /** Device codes and refresh tokens of people's sign-ins (routes/device-code.ts). */
  readonly deviceFlow: DeviceFlow;
  private readonly callers = new WeakMap<JwtClaims, Caller>();

  constructor(
    private initialFixture: TenantFixture,
    readonly baseUrl: string,
    readonly caPath: string,
    deviceFlow: Partial<DeviceFlowSettings> = {},
  ) {
    this.state = new TenantState(initialFixture);
    this.deviceFlow = new DeviceFlow({ ...DEFAULT_DEVICE_FLOW, ...deviceFlow });
  }

  get issuer(): string {
    return `${this.baseUrl}/${this.state.tenantId}/v2.0`;
  }

  env(): EmulatorEnv {
    const t = this.state.tenantId;
    return {
      GRAPH_BASE_URL: this.baseUrl,
      IDENTITY_ENDPOINT: `${this.baseUrl}/msi/token`,
      IDENTITY_HEADER: this.identityHeader,
      NODE_EXTRA_CA_CERTS: this.caPath,
      AUTH_TENANT_ID: t,
      AUTH_AUDIENCE: this.state.apiAppId,
      AUTH_ISSUER: this.issuer,
      AUTH_JWKS_URI: `${this.baseUrl}/${t}/discovery/v2.0/keys`,
      TOKEN_ENDPOINT: `${this.baseUrl}/${t}/oauth2/v2.0/token`,
      AUTHORITY_HOST: this.baseUrl,
    };
  }

  loadTenant(fixture: TenantFixture, asInitial: boolean): void {
    this.state = new TenantState(fixture);
    if (asInitial) this.initialFixture = fixture;
    this.throttle.reset();
  }

  /** Back to the fixture loaded at start (or the last PUT /_emulator/tenant), with no faults, throttling or log. */
  reset(): void {
    this.state = new TenantState(this.initialFixture);
    this.faults.configure(null);
    this.throttle.configure({ profile: 'off', timeScale: 1 });
    Object.assign(this.knobs, DEFAULT_KNOBS);
    this.deviceFlow.reset();
    this.log.clear();
  }

  /** A v2 access token for appId on the resource (Graph or the service's API): app-only, or delegated for opts.user. */
  issueToken(appId: string, resourceAppId: string, opts: IssueOptions = {}): { token: string; claims: JwtClaims } {
    const now = Math.floor(Date.now() / 1000);
    const sp = this.state.servicePrincipals.byAppId.get(appId.toLowerCase());
    const roles =
      opts.roles ??
      (opts.user
        ? this.userRoles(opts.user.id, resourceAppId)
        : this.state.servicePrincipals.rolesFor(appId, resourceAppId));
    const claims: JwtClaims = {
      aud: opts.audience ?? (resourceAppId === GRAPH_APP_ID ? GRAPH_AUDIENCE : resourceAppId),
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + (opts.expiresIn ?? TOKEN_LIFETIME_SECONDS),
      aio: randomBytes(12).toString('base64url'),
      azp: appId.toLowerCase(),
      azpacr: '1',
      ...(opts.user
        ? {
            idtyp: 'user',
            name: opts.user.displayName,
            oid: opts.user.id,
            preferred_username: opts.user.userPrincipalName,
          }
        : { idtyp: 'app', oid: sp?.id ?? newGuid() }),
      ...(opts.idtyp ? { idtyp: opts.idtyp } : {}),
      rh: `0.${randomBytes(8).toString('base64url')}.`,
      ...(roles.length ? { roles } : {}),
      ...(opts.user ? { scp: opts.scp ?? 'user_impersonation' } : {}),
      sub: opts.user ? newGuid() : (sp?.id ?? newGuid()),
      tid: this.state.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '2.0',
    };
    return { token: this.signer.sign(claims), claims };
  }

  /** A person's app roles on the resource: the service's API defines some, Graph none (its admin roles are not in `roles`). */
  private userRoles(userId: string, resourceAppId: string): string[] {
    const user = this.state.findUser(userId);
    return user && resourceAppId === this.state.apiAppId ? appRolesOf(this.state, user) : [];
  }

  /** Bearer token → caller, or Graph's 401 (research §6). */
  authenticate(req: GraphRequest): Caller | GraphResponse {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S*)\s*$/i.exec(header);
    const token = m?.[1] ?? '';
    if (!token) return invalidToken(req, 'Access token is empty.');
    const result = this.signer.verify(token);
    if (!result.ok) {
      switch (result.reason) {
        case 'malformed':
          return invalidToken(req, 'CompactToken parsing failed with error code: 80049217');
        case 'expired':
        case 'notYetValid':
          return invalidToken(req, 'Lifetime validation failed, the token is expired.');
        default:
          return invalidToken(req, 'Access token validation failure. Invalid signature.');
      }
    }
    const cached = this.callers.get(result.claims);
    if (cached) return cached;
    const claims = result.claims;
    if (typeof claims.aud !== 'string' || this.state.audienceAppId(claims.aud) !== GRAPH_APP_ID) {
      return invalidToken(req, 'Access token validation failure. Invalid audience.');
    }
    if (claims.tid !== this.state.tenantId || claims.iss !== this.issuer) {
      return invalidToken(req, 'Access token validation failure. Invalid issuer.');
    }
    // A delegated token's permissions are its `scp`; Graph then also asks for the person's admin role
    // (routes/delegated-admin.ts). An app-only token's are its `roles`.
    const scp = str(claims.scp);
    const caller: Caller = {
      appId: str(claims.azp) ?? str(claims.appid) ?? '',
      objectId: str(claims.oid) ?? '',
      roles: new Set(
        scp !== undefined ? scp.split(' ') : Array.isArray(claims.roles) ? (claims.roles as string[]) : [],
      ),
      ...(scp !== undefined ? { signedInUser: (str(claims.oid) ?? '').toLowerCase() } : {}),
    };
    this.callers.set(claims, caller);
    return caller;
  }

  /**
   * One Graph request through auth, throttling and the router. `statusFaults` applies the injected 429/503/504 here
   * (used for requests inside $batch; top-level faults are applied by the server, which can also drop connections).
   */
  handleGraph(req: GraphRequest): GraphResponse {
    const auth = this.authenticate(req);
    if ('status' in auth) return auth;
    const isWrite = req.method !== 'GET';
    const cost = requestCost(req.method, req.segments, req.query);
    const authMethods = req.segments[0] === 'users' && req.segments[2] === 'authentication';
    const decision = this.throttle.check(
      auth.appId,
      this.state.tenantId,
      this.state.size,
      isWrite,
      cost,
      Date.now(),
      authMethods,
    );
    if (!decision.ok) return tooManyRequests(req, decision.headers);
    const ctx: GraphContext = { req, caller: auth, state: this.state, knobs: this.knobs, baseUrl: this.baseUrl };
    let res: GraphResponse;
    try {
      res = routeGraph(ctx);
    } catch (err) {
      // A handler bug must not take the emulator down; report it like Graph's generic failure.
      console.error(`graph-emulator handler error path=${req.segments.join('/')} error=${String(err)}`);
      res = graphError(req, 500, 'generalException', 'An unexpected error occurred in the Graph emulator.');
    }
    if (Object.keys(decision.headers).length) res = { ...res, headers: { ...decision.headers, ...res.headers } };
    return res;
  }

  /** The caller app of a request, for the log (null without a valid token). */
  appOf(req: GraphRequest): string | null {
    const m = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '');
    if (!m) return null;
    const r = this.signer.verify(m[1]);
    return r.ok ? (str(r.claims.azp) ?? null) : null;
  }
}
