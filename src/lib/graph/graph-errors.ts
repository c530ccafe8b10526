// Typed failures of Graph calls. Messages name the operation by its path template (never a user key or any
// personal data) and, for a 403, the permission the worker's identity lacks.

/** Graph answered with an error status the caller has to handle (or report). */
export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError';
  constructor(
    /** e.g. `GET /users/{id}/authentication/methods` */
    readonly operation: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly graphMessage: string | undefined,
    readonly requestId: string | undefined,
    /** Permissions any one of which allows the operation (app roles), for 403 messages. */
    readonly permissions: readonly string[],
  ) {
    super(describe(operation, status, code, graphMessage, permissions));
  }

  get isPermissionError(): boolean {
    return this.status === 403;
  }
}

/** The request never got an answer (connection dropped, TLS failure, timeout) and was not retried or ran out of tries. */
export class GraphTransportError extends Error {
  override readonly name = 'GraphTransportError';
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
    /** True when the call may have taken effect (a non-idempotent write whose answer was lost). */
    readonly outcomeUnknown: boolean,
  ) {
    super(
      `Microsoft Graph did not answer ${operation}: ${cause instanceof Error ? cause.message : String(cause)}` +
        (outcomeUnknown ? ' (the call may have taken effect; it was not retried)' : ''),
    );
  }
}

export function permissionSentence(permissions: readonly string[]): string {
  if (permissions.length === 0) return 'the required Microsoft Graph permission';
  if (permissions.length === 1) return permissions[0];
  return `${permissions.slice(0, -1).join(', ')} or ${permissions[permissions.length - 1]}`;
}

function describe(
  operation: string,
  status: number,
  code: string | undefined,
  graphMessage: string | undefined,
  permissions: readonly string[],
): string {
  if (status === 403) {
    return `Microsoft Graph refused ${operation}: the worker's identity lacks ${permissionSentence(permissions)}`;
  }
  if (status === 401) {
    return `Microsoft Graph rejected the worker's token for ${operation} (${code ?? 'unauthorized'})`;
  }
  const detail = [code, graphMessage === undefined ? undefined : redact(graphMessage)].filter(Boolean).join(': ');
  return `Microsoft Graph answered ${status} to ${operation}${detail ? ` (${truncate(detail, 300)})` : ''}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Graph error texts can echo the user key (a UPN looks like an e-mail address) or a phone number: mask both. */
export function redact(text: string): string {
  return text.replace(/[^\s'"(),;<>]+@[^\s'"(),;<>]+/g, '<redacted>').replace(/\+\d[\d ()-]{5,}\d/g, '<redacted>');
}
