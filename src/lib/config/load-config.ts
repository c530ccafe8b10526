// Reads the environment once and fails with ONE error naming every bad setting (contracts §3).

import type { ZodType } from 'zod';
import type { AppConfig, AuthConfig, DataConnection, GraphConfig, StorageConfig } from './app-config.js';
import type { GuardrailLimits } from '../guardrails/limits.js';
import {
  authSchema,
  callbackSchema,
  graphSchema,
  guardrailsSchema,
  controlsSchema,
  limitsSchema,
  modeSchema,
  sealSchema,
  tapSchema,
  storageSchema,
  dataStorageSchema,
  type ConnectionSettings,
  telemetrySchema,
} from './schema.js';
import { graphCloudHosts, isGraphCloudHost } from '../graph/graph-hosts.js';
import { auditConfigFrom, type AuditConfig } from './audit-settings.js';

export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
        problems.map((p) => `${p.key} ${p.message}`).join('; '),
    );
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function parse<T>(schema: ZodType<T>, env: Env, problems: ConfigProblem[]): T | undefined {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push({ key: String(issue.path[0] ?? '(environment)'), message: issue.message });
  }
  return undefined;
}

/** One storage connection from its settings (see connectionSchema); undefined with a problem when incomplete. */
function connectionFrom(
  name: DataConnection,
  s: ConnectionSettings,
  problems: ConfigProblem[],
): StorageConfig | undefined {
  const connectionString = s[name];
  if (connectionString) return { kind: 'connectionString', connectionString };
  const account = s[`${name}__accountName`];
  const tableServiceUri =
    s[`${name}__tableServiceUri`] ?? (account ? `https://${account}.table.core.windows.net` : undefined);
  const queueServiceUri =
    s[`${name}__queueServiceUri`] ?? (account ? `https://${account}.queue.core.windows.net` : undefined);
  if (!tableServiceUri || !queueServiceUri) {
    problems.push({
      key: name,
      message:
        `is required: set a connection string, or ${name}__tableServiceUri and ${name}__queueServiceUri ` +
        `(or ${name}__accountName) for identity-based access`,
    });
    return undefined;
  }
  const clientId = s[`${name}__clientId`];
  const credential = s[`${name}__credential`];
  return {
    kind: 'identity',
    tableServiceUri,
    queueServiceUri,
    ...(clientId ? { clientId } : {}),
    ...(credential ? { credential } : {}),
  };
}

/**
 * The worker sends its Graph token to GRAPH_BASE_URL: only a documented Graph root may receive it, unless the
 * development flag allows any host (the emulator).
 */
export function graphHostProblem(baseUrl: string, allowAnyHost: boolean): ConfigProblem | undefined {
  if (allowAnyHost) return undefined;
  const url = new URL(baseUrl);
  if (isGraphCloudHost(url.hostname) && url.port === '') return undefined;
  const roots = graphCloudHosts.map((h) => `https://${h}`);
  return {
    key: 'GRAPH_BASE_URL',
    message:
      `must be the Microsoft Graph root of a cloud: ${roots.slice(0, -1).join(', ')} or ${roots.at(-1) ?? ''}; ` +
      'another host (the local emulator) only with GRAPH_ALLOW_ANY_HOST=true, a development setting',
  };
}

/** Loads and validates the configuration. Throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: ConfigProblem[] = [];
  const mode = parse(modeSchema, env, problems)?.MFA_RESET_FUNCTIONS ?? 'all';
  // The reset data has its own connection (MfaData) in Azure; without one it shares the host's (one Azurite locally).
  const rawData = parse(dataStorageSchema, env, problems);
  const dataConnection: DataConnection =
    rawData && Object.values(rawData).some((v) => v !== undefined) ? 'MfaData' : 'AzureWebJobsStorage';
  const rawStorage = parse(dataConnection === 'MfaData' ? dataStorageSchema : storageSchema, env, problems);
  const storage = rawStorage ? connectionFrom(dataConnection, rawStorage, problems) : undefined;
  const limits = parse(limitsSchema, env, problems);
  const telemetry = parse(telemetrySchema, env, problems);
  const controls = parse(controlsSchema, env, problems);
  const seal = parse(sealSchema, env, problems);
  const callbacks = parse(callbackSchema, env, problems);
  const callbacksOn = (callbacks?.CALLBACK_ALLOWED_HOSTS.length ?? 0) > 0 || callbacks?.CALLBACK_ALLOW_LOCALHOST;
  if (callbacks && callbacksOn && mode !== 'intake' && !callbacks.CALLBACK_SIGNING_KEY) {
    // The worker signs every call: with callbacks allowed and no key, every callback would end `failed`.
    problems.push({
      key: 'CALLBACK_SIGNING_KEY',
      message: 'is required when CALLBACK_ALLOWED_HOSTS is set: a base64 key of at least 32 bytes',
    });
  }
  const tap = parse(tapSchema, env, problems);

  let auth: AuthConfig | undefined;
  let guardrails: GuardrailLimits | undefined;
  if (mode !== 'worker') {
    const q = parse(guardrailsSchema, env, problems);
    if (q) {
      guardrails = {
        callerSinglePerHour: q.CALLER_MAX_USERS_PER_HOUR,
        callerBulkPerHour: q.CALLER_MAX_BULK_USERS_PER_HOUR,
        tenantSinglePerHour: q.TENANT_MAX_USERS_PER_HOUR,
        tenantBulkPerHour: q.TENANT_MAX_BULK_USERS_PER_HOUR,
      };
    }
    const a = parse(authSchema, env, problems);
    if (a) {
      auth = {
        tenantId: a.AUTH_TENANT_ID,
        audience: a.AUTH_AUDIENCE,
        issuer: a.AUTH_ISSUER ?? `https://login.microsoftonline.com/${a.AUTH_TENANT_ID}/v2.0`,
        jwksUri: a.AUTH_JWKS_URI ?? `https://login.microsoftonline.com/${a.AUTH_TENANT_ID}/discovery/v2.0/keys`,
        ...(a.AUTH_SCOPE ? { scope: a.AUTH_SCOPE } : {}),
      };
    }
  }

  let graph: GraphConfig | undefined;
  let audit: AuditConfig | undefined;
  let killSwitch = false;
  let maxItemAgeHours = 24;
  if (mode !== 'intake') {
    audit = auditConfigFrom(env, problems);
    const g = parse(graphSchema, env, problems);
    const hostProblem = g?.GRAPH_BASE_URL ? graphHostProblem(g.GRAPH_BASE_URL, g.GRAPH_ALLOW_ANY_HOST) : undefined;
    if (hostProblem) problems.push(hostProblem);
    if (g && !hostProblem) {
      graph = {
        baseUrl: g.GRAPH_BASE_URL ?? 'https://graph.microsoft.com',
        ...(g.AZURE_CLIENT_ID ? { clientId: g.AZURE_CLIENT_ID } : {}),
        maxConcurrency: g.GRAPH_MAX_CONCURRENCY,
        maxWaitSeconds: g.GRAPH_MAX_WAIT_SECONDS,
        protectedUsers: g.PROTECTED_USERS,
        protectedGroupIds: g.PROTECTED_GROUP_IDS,
        maxUsersPerHour: g.WORKER_MAX_USERS_PER_HOUR,
        writeBudget: {
          shared: g.WRITE_BUDGET_SHARED,
          cacheMs: g.WRITE_BUDGET_CACHE_MS,
          pacing: g.GRAPH_WRITE_PACING,
        },
      };
      killSwitch = g.KILL_SWITCH;
      maxItemAgeHours = g.MAX_ITEM_AGE_HOURS;
    }
  }

  if (problems.length > 0 || !storage || !limits || !telemetry || !controls || !callbacks || !seal?.ITEM_SEAL_KEY) {
    throw new ConfigError(problems);
  }
  return {
    functions: mode,
    storage,
    dataConnection,
    ...(auth ? { auth } : {}),
    ...(graph ? { graph } : {}),
    ...(audit ? { audit } : {}),
    limits: {
      maxBulkRows: limits.MAX_BULK_ROWS,
      maxBodyBytes: limits.MAX_BODY_BYTES,
      statusRetryAfterSeconds: limits.STATUS_RETRY_AFTER_SECONDS,
      idempotencyWindowHours: limits.IDEMPOTENCY_WINDOW_HOURS,
    },
    ...(guardrails ? { guardrails } : {}),
    killSwitch,
    maxItemAgeHours,
    controls: {
      approvalMinUsers: controls.APPROVAL_MIN_USERS,
      approvalTtlHours: controls.APPROVAL_TTL_HOURS,
      targetCooldownHours: controls.TARGET_COOLDOWN_HOURS,
    },
    sealKeys: {
      current: seal.ITEM_SEAL_KEY,
      ...(seal.ITEM_SEAL_PREVIOUS_KEY ? { previous: seal.ITEM_SEAL_PREVIOUS_KEY } : {}),
    },
    callbacks: {
      allowedHosts: callbacks.CALLBACK_ALLOWED_HOSTS.map((h) => h.toLowerCase()),
      allowLocalhost: callbacks.CALLBACK_ALLOW_LOCALHOST,
      ...(callbacks.CALLBACK_SIGNING_KEY && mode !== 'intake' ? { signingKey: callbacks.CALLBACK_SIGNING_KEY } : {}),
    },
    tap: {
      // The worker encrypts, the intake decrypts: each mode keeps only its own half.
      ...(mode !== 'intake' && tap?.TAP_PUBLIC_KEY ? { publicKey: tap.TAP_PUBLIC_KEY } : {}),
      ...(mode !== 'worker' && tap?.TAP_KEY_ID ? { keyId: tap.TAP_KEY_ID } : {}),
      ...(mode !== 'worker' && tap?.TAP_PRIVATE_KEY_FILE ? { privateKeyFile: tap.TAP_PRIVATE_KEY_FILE } : {}),
    },
    telemetry: telemetry.APPLICATIONINSIGHTS_CONNECTION_STRING
      ? { applicationInsightsConnectionString: telemetry.APPLICATIONINSIGHTS_CONNECTION_STRING }
      : {},
  };
}

/** The auth settings, or a clear error when this mode was configured without them. */
export function requireAuth(config: AppConfig): AuthConfig {
  if (!config.auth)
    throw new ConfigError([{ key: 'AUTH_TENANT_ID', message: `is not loaded in ${config.functions} mode` }]);
  return config.auth;
}

/** The Graph settings, or a clear error when this mode was configured without them. */
export function requireGraph(config: AppConfig): GraphConfig {
  if (!config.graph)
    throw new ConfigError([{ key: 'GRAPH_BASE_URL', message: `is not loaded in ${config.functions} mode` }]);
  return config.graph;
}
