// The settings of contracts §3 as zod schemas, one per concern, so each mode validates only what it uses.

import { z } from 'zod';
import { defaultGuardrailLimits as guardrailDefaults } from '../guardrails/limits.js';
import { callbackHostPatternProblem, isGuid, isUpn } from '../domain/index.js';
import { boolean, guid, integer, list, optionalGuid, optionalString, url } from './settings.js';
import { parseTapPublicKey } from '../tap/tap-envelope.js';

export const functionsModes = ['all', 'intake', 'worker'] as const;
export type FunctionsMode = (typeof functionsModes)[number];

export const modeSchema = z.object({
  MFA_RESET_FUNCTIONS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
    z.enum(functionsModes, { error: 'must be one of all, intake, worker' }).default('all'),
  ),
});

/**
 * A storage connection as the Functions host reads one: `<name>` (a connection string) or identity-based
 * `<name>__accountName`, `__queueServiceUri`, `__tableServiceUri`, `__credential`, `__clientId`.
 */
const connectionSchema = <N extends string>(name: N) =>
  z.object({
    [name]: optionalString(),
    [`${name}__accountName`]: optionalString(),
    [`${name}__queueServiceUri`]: url({ allowHttp: true }),
    [`${name}__tableServiceUri`]: url({ allowHttp: true }),
    [`${name}__credential`]: optionalString(),
    [`${name}__clientId`]: optionalGuid(),
  } as const);

/** The host's own storage (each app its own account in Azure); also the reset data's when `MfaData` is not set. */
export const storageSchema = connectionSchema('AzureWebJobsStorage');
/** The reset data (tables and the reset queues), apart from the host's storage (issue 15: least privilege). */
export const dataStorageSchema = connectionSchema('MfaData');
export type ConnectionSettings = Readonly<Record<string, string | undefined>>;

export const graphSchema = z.object({
  GRAPH_BASE_URL: url({ defaultValue: 'https://graph.microsoft.com' }),
  /** Development only (the emulator stacks): lets GRAPH_BASE_URL name a host that is not a documented Graph root. */
  GRAPH_ALLOW_ANY_HOST: boolean(false),
  AZURE_CLIENT_ID: optionalGuid(),
  GRAPH_MAX_CONCURRENCY: integer(16, 1, 256),
  GRAPH_MAX_WAIT_SECONDS: integer(30, 0, 600),
  PROTECTED_USERS: list((e) => (isGuid(e) || isUpn(e) ? undefined : 'must be a UPN or an object id (GUID)')),
  PROTECTED_GROUP_IDS: list((e) => (isGuid(e) ? undefined : 'must be a group object id (GUID)')),
  KILL_SWITCH: boolean(false),
  MAX_ITEM_AGE_HOURS: integer(24, 1, 720),
  /** The worker's own ceiling; default: the intake's tenant-wide defaults together (500 single + 10,000 bulk). */
  WORKER_MAX_USERS_PER_HOUR: integer(
    guardrailDefaults.tenantSinglePerHour + guardrailDefaults.tenantBulkPerHour,
    0,
    10_000_000,
  ) /** Issue 16: instances share the write quota's deadline through a row in the audit account's worker table. */,
  WRITE_BUDGET_SHARED: boolean(true),
  /** How long an instance trusts its last read of that row (the staleness bound), ms. */
  WRITE_BUDGET_CACHE_MS: integer(1000, 100, 60_000),
  /** Pace writes at a learned rate (AIMD) instead of sending them as fast as the concurrency limit allows. */
  GRAPH_WRITE_PACING: boolean(true),
});

export const authSchema = z.object({
  AUTH_TENANT_ID: guid(),
  // The API app's client id; `api://<client id>` is accepted and normalised to the id.
  AUTH_AUDIENCE: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().replace(/^api:\/\//i, '') : undefined),
    z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : undefined) })
      .refine(isGuid, 'must be the API application (client) id, a GUID, or api://<that id>')
      .transform((v) => v.toLowerCase()),
  ),
  AUTH_ISSUER: url(),
  AUTH_JWKS_URI: url(),
  // The delegated permission a person's token must carry in `scp` (default Resets.Access, as setup-entra exposes it).
  AUTH_SCOPE: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,120}$/, 'must be one scope value, e.g. Resets.Access (no spaces, no api:// prefix)')
      .optional(),
  ),
});

export const limitsSchema = z.object({
  MAX_BULK_ROWS: integer(50_000, 1, 100_000),
  MAX_BODY_BYTES: integer(8_388_608, 1024, 104_857_600),
  STATUS_RETRY_AFTER_SECONDS: integer(5, 1, 3600),
  IDEMPOTENCY_WINDOW_HOURS: integer(24, 1, 8760),
});

/** Submission guardrails (src/lib/guardrails/limits.ts): users in any 60 minutes (sliding); 0 turns a limit off. */
export const guardrailsSchema = z.object({
  CALLER_MAX_USERS_PER_HOUR: integer(guardrailDefaults.callerSinglePerHour, 0, 10_000_000),
  CALLER_MAX_BULK_USERS_PER_HOUR: integer(guardrailDefaults.callerBulkPerHour, 0, 10_000_000),
  TENANT_MAX_USERS_PER_HOUR: integer(guardrailDefaults.tenantSinglePerHour, 0, 10_000_000),
  TENANT_MAX_BULK_USERS_PER_HOUR: integer(guardrailDefaults.tenantBulkPerHour, 0, 10_000_000),
});

/** Operator controls of issue 14 (src/lib/domain/approval.ts, cooldown.ts); read in every mode. */
export const controlsSchema = z.object({
  APPROVAL_MIN_USERS: integer(25, 0, 100_000),
  APPROVAL_TTL_HOURS: integer(24, 1, 720),
  TARGET_COOLDOWN_HOURS: integer(12, 0, 720),
});

export const telemetrySchema = z.object({
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString(),
});

const sealKeyMessage = 'must be a base64 key of at least 32 bytes (e.g. the output of: openssl rand -base64 32)';
/** A seal key (src/lib/seal): base64 of at least 32 bytes. A Key Vault reference the platform left unresolved is named. */
const sealKeyBytes = z
  .string({ error: (issue) => (issue.input === undefined ? `is required: ${sealKeyMessage}` : undefined) })
  .transform((v, ctx) => {
    if (/^@Microsoft\.KeyVault\(/i.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'is a Key Vault reference the platform could not resolve: check that the secret exists and that the ' +
          "app's identity (keyVaultReferenceIdentity) has Key Vault Secrets User on it",
      });
      return z.NEVER;
    }
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    if (bytes.length < 32) {
      ctx.addIssue({ code: 'custom', message: sealKeyMessage });
      return z.NEVER;
    }
    return new Uint8Array(bytes);
  });
const trimmedOrUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Item seals (src/lib/domain/item-seal.ts): the intake seals with the key, the worker checks; read in every mode. */
export const sealSchema = z.object({
  ITEM_SEAL_KEY: z.preprocess(trimmedOrUnset, sealKeyBytes),
  ITEM_SEAL_PREVIOUS_KEY: z.preprocess(trimmedOrUnset, sealKeyBytes.optional()),
});

/**
 * Completion callbacks (src/lib/callbacks): which hosts a callback URL may name, and the key that signs the calls.
 * Read in every mode: the intake refuses a URL outside the list, the worker checks it again before calling.
 */
export const callbackSchema = z.object({
  CALLBACK_ALLOWED_HOSTS: list(callbackHostPatternProblem),
  /** Development only (local stacks, tests): a callback URL may name `localhost` on any port. */
  CALLBACK_ALLOW_LOCALHOST: boolean(false),
  CALLBACK_SIGNING_KEY: z.preprocess(trimmedOrUnset, sealKeyBytes.optional()),
});
// The audit record's settings live with their parsing; listed here so every setting the code reads is in this module.
export { auditSchema } from './audit-settings.js';

/**
 * Temporary Access Passes (src/lib/tap): the worker encrypts each pass with TAP_PUBLIC_KEY; the intake decrypts it
 * with the matching private key, in Key Vault (TAP_KEY_ID, the key's URL) or, locally, in a PEM file
 * (TAP_PRIVATE_KEY_FILE). Without them, requests asking for a pass are refused (intake) or get none (worker).
 */
export const tapSchema = z
  .object({
    TAP_PUBLIC_KEY: z.preprocess(
      trimmedOrUnset,
      z
        .string()
        .transform((v, ctx) => {
          try {
            return parseTapPublicKey(v);
          } catch {
            ctx.addIssue({
              code: 'custom',
              message: 'must be an RSA public key of 2048 bits or more: PEM, or base64 of the PEM or of DER SPKI',
            });
            return z.NEVER;
          }
        })
        .optional(),
    ),
    TAP_KEY_ID: z.preprocess(
      trimmedOrUnset,
      z
        .string()
        .regex(
          /^https:\/\/[^/\s]+\/keys\/[^/\s]+(\/[^/\s]+)?$/,
          'must be a Key Vault key URL (https://<vault>/keys/<name>)',
        )
        .optional(),
    ),
    TAP_PRIVATE_KEY_FILE: z.preprocess(trimmedOrUnset, z.string().optional()),
  })
  .refine((t) => !(t.TAP_KEY_ID && t.TAP_PRIVATE_KEY_FILE), {
    path: ['TAP_PRIVATE_KEY_FILE'],
    message: 'set TAP_KEY_ID (Key Vault) or TAP_PRIVATE_KEY_FILE (local), not both',
  });
