/**
 * Test helpers around the Graph emulator: start one on a random port, read its request log and user state, set
 * faults and throttling, and build the real Graph client authenticated by the real @azure/identity managed identity.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator } from '../../dev/graph-emulator/index.js';
import type {
  FaultConfig,
  FixtureUser,
  LoggedRequest,
  RunningEmulator,
  TenantFixture,
  ThrottleConfig,
} from '../../dev/graph-emulator/index.js';

export interface EmulatorUserView {
  id: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  userType: string;
  methods: { '@odata.type': string; id: string; [k: string]: unknown }[];
  preferredMethod: string | null;
  defaultMethodId: string | null;
  roles: string[];
  activeRoles: string[];
  eligibleRoles: string[];
  groups: string[];
  transitiveGroups: string[];
  signInSessionsValidFromDateTime: string;
  [k: string]: unknown;
}

export interface RequestFilter {
  since?: number;
  method?: string;
  /** Substring of the path. */
  path?: string;
  status?: number;
  app?: string;
}

export interface TestEmulator {
  readonly emulator: RunningEmulator;
  readonly url: string;
  readonly env: RunningEmulator['env'];
  /** Raw control-API call; throws on a network failure only. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  requests(filter?: RequestFilter): Promise<LoggedRequest[]>;
  clearRequests(): Promise<void>;
  user(key: string): Promise<EmulatorUserView>;
  putUser(user: FixtureUser): Promise<EmulatorUserView>;
  setFaults(faults: FaultConfig | null): Promise<void>;
  setThrottle(throttle: Partial<ThrottleConfig> & { profile: ThrottleConfig['profile'] }): Promise<void>;
  setKnobs(knobs: {
    staleReadsMs?: number;
    defaultBlockingKinds?: string[] | null;
    hardwareOathAppDelete?: boolean;
    authMethodsTimeoutMs?: number;
  }): Promise<void>;
  reset(): Promise<void>;
  loadTenant(fixture: TenantFixture): Promise<void>;
  /** Client-credentials token from the emulator's Entra token endpoint. */
  clientToken(app: { appId: string; clientSecret: string }, scope: string): Promise<string>;
  /**
   * A token minted by the control API (any app, roles, audience or lifetime), for negative tests; with `user` (a
   * fixture user's id) a delegated token of that user signed in to the app, with `scp`.
   */
  mintToken(req: {
    appId: string;
    resource?: string;
    audience?: string;
    roles?: string[];
    expiresIn?: number;
    user?: string;
    scp?: string;
    /** Overrides the `idtyp` claim (an app token carrying `scp`, for negative tests). */
    idtyp?: 'app' | 'user';
  }): Promise<string>;
  stop(): Promise<void>;
}

async function expectOk<T>(r: { status: number; body: T }, what: string): Promise<T> {
  if (r.status >= 300) throw new Error(`${what} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return Promise.resolve(r.body);
}

export async function startTestEmulator(fixture?: TenantFixture): Promise<TestEmulator> {
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      'NODE_EXTRA_CA_CERTS is not set: run tests through vitest (globalSetup test/support/global-setup.ts).',
    );
  }
  const emulator = await startEmulator({ fixture });
  const url = emulator.url;
  const control = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}/_emulator/${path.replace(/^\//, '')}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    emulator,
    url,
    env: emulator.env,
    control,
    async requests(filter = {}) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
      const body = await expectOk(
        await control<{ value: LoggedRequest[] }>('GET', `requests?${q.toString()}`),
        'requests',
      );
      return body.value;
    },
    async clearRequests() {
      await expectOk(await control('DELETE', 'requests'), 'clear requests');
    },
    async user(key) {
      return expectOk(await control<EmulatorUserView>('GET', `users/${encodeURIComponent(key)}`), `user ${key}`);
    },
    async putUser(user) {
      return expectOk(await control<EmulatorUserView>('PUT', `users/${encodeURIComponent(user.id)}`, user), 'put user');
    },
    async setFaults(faults) {
      await expectOk(faults ? await control('PUT', 'faults', faults) : await control('DELETE', 'faults'), 'faults');
    },
    async setThrottle(throttle) {
      await expectOk(await control('PUT', 'throttle', throttle), 'throttle');
    },
    async setKnobs(knobs) {
      await expectOk(await control('PUT', 'knobs', knobs), 'knobs');
    },
    async reset() {
      await expectOk(await control('POST', 'reset'), 'reset');
    },
    async loadTenant(f) {
      await expectOk(await control('PUT', 'tenant', f), 'load tenant');
    },
    async clientToken(app, scope) {
      const res = await fetch(emulator.env.TOKEN_ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: app.appId,
          client_secret: app.clientSecret,
          scope,
        }).toString(),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async mintToken(req) {
      const body = await expectOk(await control<{ access_token: string }>('POST', 'tokens', req), 'mint token');
      return body.access_token;
    },
    stop: () => emulator.stop(),
  };
}

/**
 * Points @azure/identity's managed-identity source at the emulator. @azure/identity caches the source (and tokens)
 * process-wide on the first getToken, so call this before any credential is used in the test process.
 */
export function graphEnvFor(emulator: { env: RunningEmulator['env'] }): void {
  process.env.IDENTITY_ENDPOINT = emulator.env.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = emulator.env.IDENTITY_HEADER;
}

/** The real Graph client, authenticated by the real ManagedIdentityCredential against the emulator's MI endpoint. */
export function createTestGraphClient(
  emulator: { url: string; env: RunningEmulator['env'] },
  version: 'v1.0' | 'beta' = 'v1.0',
): Client {
  graphEnvFor(emulator);
  const credential = new ManagedIdentityCredential();
  return Client.initWithMiddleware({
    baseUrl: emulator.url,
    defaultVersion: version,
    customHosts: new Set(['localhost']),
    authProvider: {
      async getAccessToken() {
        const token = await credential.getToken('https://graph.microsoft.com/.default');
        return token.token;
      },
    },
  });
}
