// The typed configuration the rest of the code sees (no environment names past this point).
import type { KeyObject } from 'node:crypto';

import type { GuardrailLimits } from '../guardrails/limits.js';
import type { AuditConfig } from './audit-settings.js';
import type { FunctionsMode } from './schema.js';

/** `MfaData` when set (Azure: its own account); otherwise the host's `AzureWebJobsStorage` (one account, locally). */
export type DataConnection = 'MfaData' | 'AzureWebJobsStorage';

export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly tableServiceUri: string;
      readonly queueServiceUri: string;
      /** User-assigned managed identity client id (absent: system-assigned / developer credentials). */
      readonly clientId?: string;
      /** `managedidentity` in Azure; absent locally (developer credentials). */
      readonly credential?: string;
    };

export interface AuthConfig {
  readonly tenantId: string;
  /** The API application (client) id; tokens with `aud` = it or `api://` + it are accepted. */
  readonly audience: string;
  readonly issuer: string;
  readonly jwksUri: string;
  /** The delegated permission a person's token must hold in `scp` (AUTH_SCOPE; default API_SCOPE, Resets.Access). */
  readonly scope?: string;
}

export interface GraphConfig {
  readonly baseUrl: string;
  /** User-assigned managed identity client id for Graph (absent: system-assigned). */
  readonly clientId?: string;
  readonly maxConcurrency: number;
  readonly maxWaitSeconds: number;
  readonly protectedUsers: readonly string[];
  readonly protectedGroupIds: readonly string[];
  /** WORKER_MAX_USERS_PER_HOUR: the worker's own ceiling on users started in any 60 minutes (0: off). */
  readonly maxUsersPerHour: number;
  /** Graph's write budget across instances (issue 16; docs/runtime.md). */
  readonly writeBudget: {
    /** WRITE_BUDGET_SHARED: share the write quota's deadline through the worker table. */
    readonly shared: boolean;
    /** WRITE_BUDGET_CACHE_MS */
    readonly cacheMs: number;
    /** GRAPH_WRITE_PACING */
    readonly pacing: boolean;
  };
}

export interface LimitsConfig {
  readonly maxBulkRows: number;
  readonly maxBodyBytes: number;
  readonly statusRetryAfterSeconds: number;
  /** How long an idempotency key (explicit or natural) names its request; later the same key makes a new one. */
  readonly idempotencyWindowHours: number;
}

export interface ControlsConfig {
  /** Requests of at least this many users (and every CSV that is not a dry run) wait for approval; 0: off. */
  readonly approvalMinUsers: number;
  /** A pending approval lapses after this many hours: every item ends `expired`. */
  readonly approvalTtlHours: number;
  /** A user reset within this many hours is skipped (`skipped_recently_reset`) unless the request was approved; 0: off. */
  readonly targetCooldownHours: number;
}

export interface AppConfig {
  readonly functions: FunctionsMode;
  /** The reset data: tables and the reset queues. */
  readonly storage: StorageConfig;
  /** The setting `storage` came from, which the queue triggers name as their connection. */
  readonly dataConnection: DataConnection;
  /** Present in `all` and `intake` modes. */
  readonly auth?: AuthConfig;
  /** Present in `all` and `worker` modes. */
  readonly graph?: GraphConfig;
  /** The append-only audit record (src/lib/config/audit-settings.ts): present, and required, where the worker runs. */
  readonly audit?: AuditConfig;
  readonly limits: LimitsConfig;
  /** Per-caller quotas and tenant-wide circuit breakers of the intake (set in `all` and `intake` modes). */
  readonly guardrails?: GuardrailLimits;
  readonly killSwitch: boolean;
  /** Worker: an item not started this many hours after its request ends `expired` (no Graph call). */
  readonly maxItemAgeHours: number;
  readonly controls: ControlsConfig;
  /** ITEM_SEAL_KEY / ITEM_SEAL_PREVIOUS_KEY: the intake seals the work it stores, the worker acts only on sealed work. */
  readonly sealKeys: { readonly current: Uint8Array; readonly previous?: Uint8Array };
  readonly telemetry: { readonly applicationInsightsConnectionString?: string };
  /** Completion callbacks: the allow-list (both apps) and the signing key (the worker's; absent: none sent). */
  readonly callbacks: {
    readonly allowedHosts: readonly string[];
    readonly allowLocalhost: boolean;
    readonly signingKey?: Uint8Array;
  };
  /** Temporary Access Passes: the worker's public key; the intake's private key (Key Vault key or local file). */
  readonly tap: {
    readonly publicKey?: KeyObject;
    readonly keyId?: string;
    readonly privateKeyFile?: string;
  };
}
