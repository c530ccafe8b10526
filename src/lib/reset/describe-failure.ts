// How a failed run is reported: a stable code and a sentence for the service desk, free of personal data.
import type { ResetFailure } from '../domain/index.js';
import { GraphCallError, GraphTransportError, redact } from '../domain/index.js';
import { GuardUnavailableError } from './guard.js';

export function describeFailure(error: unknown): ResetFailure {
  // The guard could not decide: nothing was written. The message names the read and, for a 403, the permission.
  if (error instanceof GuardUnavailableError) return { code: error.code, message: error.message };
  if (error instanceof GraphCallError) {
    // The message of a `forbidden` failure names the operation and the permission the worker's identity lacks.
    if (error.kind === 'forbidden') return { code: 'graph_permission_missing', message: error.message };
    if (error.kind === 'unauthorized') return { code: 'graph_unauthorized', message: error.message };
    return { code: 'graph_error', message: error.message };
  }
  if (error instanceof GraphTransportError) return { code: 'graph_unreachable', message: redact(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal_error', message: redact(message).slice(0, 500) };
}

export const invalidUserKey: ResetFailure = {
  code: 'invalid_user_key',
  message: 'The user key is neither a user principal name nor an object id (GUID).',
};

/** The planned methods a run could not remove, and Graph's last refusal. */
export function verificationFailed(
  notRemoved: readonly { readonly type: string }[],
  passes: number,
  lastRefusal: string | undefined,
): ResetFailure {
  const types = [...new Set(notRemoved.map((m) => m.type))].join(', ');
  return {
    code: 'verification_failed',
    message:
      `After ${passes} pass${passes === 1 ? '' : 'es'} these methods are still registered: ${types}.` +
      (lastRefusal ? ` Last refusal: ${lastRefusal}` : ''),
  };
}
