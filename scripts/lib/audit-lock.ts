// Locks the audit container's time-based retention policy. Locking is an action, not a resource property, so the
// Bicep creates the policy unlocked and this step locks it (Azure Resource Manager REST, Microsoft.Storage:
// "Blob Containers - Get Immutability Policy" and "Blob Containers - Lock Immutability Policy", which needs the
// policy's ETag in If-Match). A locked policy cannot be unlocked, shortened or deleted: only extended.
import type { TokenCredential } from '@azure/identity';
import { GrantError } from './app-role-grants.js';
import { azureRest, errorCode } from './azure-rest.js';

const API = 'api-version=2025-06-01';

export type LockOutcome = 'locked' | 'already-locked' | 'would-lock';

export interface AuditLockOptions {
  /** Azure Resource Manager root, e.g. https://management.azure.com/ (environment().resourceManager). */
  readonly resourceManager: URL;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly accountName: string;
  readonly containerName: string;
  readonly dryRun: boolean;
}

export async function lockAuditPolicy(credential: TokenCredential, options: AuditLockOptions): Promise<LockOutcome> {
  const scope = new URL('.default', options.resourceManager).href;
  const path =
    `subscriptions/${options.subscriptionId}/resourceGroups/${options.resourceGroup}` +
    `/providers/Microsoft.Storage/storageAccounts/${options.accountName}` +
    `/blobServices/default/containers/${options.containerName}/immutabilityPolicies/default`;
  const policy = await azureRest(credential, scope, 'GET', new URL(`${path}?${API}`, options.resourceManager));
  if (policy.status !== 200) {
    throw new GrantError(`reading the audit container's retention policy failed (${errorCode(policy)})`);
  }
  const properties = (policy.body.properties ?? {}) as Record<string, unknown>;
  if (properties.state === 'Locked') return 'already-locked';
  const etag = policy.etag ?? (typeof policy.body.etag === 'string' ? policy.body.etag : undefined);
  if (!etag) throw new GrantError("the audit container's retention policy came without an ETag: cannot lock it");
  if (options.dryRun) return 'would-lock';
  const locked = await azureRest(credential, scope, 'POST', new URL(`${path}/lock?${API}`, options.resourceManager), {
    ifMatch: etag,
  });
  if (locked.status !== 200) {
    throw new GrantError(`locking the audit container's retention policy failed (${errorCode(locked)})`);
  }
  return 'locked';
}
