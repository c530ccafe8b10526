// The settings of contracts §3 as zod schemas, one per concern, so each mode validates only what it uses.

import { z } from 'zod';
import { defaultGuardrailLimits as guardrailDefaults } from '../guardrails/limits.js';
import { isGuid, isUpn } from '../domain/index.js';
import { boolean, guid, integer, list, optionalGuid, optionalString, url } from './settings.js';

export const functionsModes = ['all', 'intake', 'worker'] as const;
export type FunctionsMode = (typeof functionsModes)[number];

export const modeSchema = z.object({
  MFA_RESET_FUNCTIONS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
    z.enum(functionsModes, { error: 'must be one of all, intake, worker' }).default('all'),
  ),
});

export const storageSchema = z.object({
  AzureWebJobsStorage: optionalString(),
  AzureWebJobsStorage__accountName: optionalString(),
  AzureWebJobsStorage__queueServiceUri: url({ allowHttp: true }),
  AzureWebJobsStorage__tableServiceUri: url({ allowHttp: true }),
  AzureWebJobsStorage__credential: optionalString(),
  AzureWebJobsStorage__clientId: optionalGuid(),
});

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

// The audit record's settings live with their parsing; listed here so every setting the code reads is in this module.
export { auditSchema } from './audit-settings.js';
