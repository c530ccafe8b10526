// Graph's error answers as the domain's failures (src/lib/domain/graph-errors.ts). Messages name the operation by
// its path template (never a user key or any personal data) and, for a 403, the permission the worker's identity
// lacks.
import type { GraphFailureKind } from '../domain/index.js';
import { GraphCallError, redact } from '../domain/index.js';

export interface GraphErrorAnswer {
  /** e.g. `GET /users/{id}/authentication/methods` */
  readonly operation: string;
  readonly method: string;
  readonly status: number;
  readonly code: string | undefined;
  readonly graphMessage: string | undefined;
  readonly requestId: string | undefined;
  /** Permissions any one of which allows the operation (app roles), for 403 messages. */
  readonly permissions: readonly string[];
}

/** The failure an error answer means. */
export function graphCallError(answer: GraphErrorAnswer): GraphCallError {
  const { operation, status, code, graphMessage, permissions } = answer;
  return new GraphCallError(
    failureKind(answer),
    operation,
    describe(operation, status, code, graphMessage, permissions),
    permissions,
    answer.requestId,
  );
}

function failureKind({ method, status, graphMessage }: GraphErrorAnswer): GraphFailureKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'unavailable';
  // Graph refuses the changes its business rules forbid with a 400 (research §3); the default-method rule is the one
  // whose text names the default.
  if (status === 400 && method !== 'GET') {
    return method === 'DELETE' && /default/i.test(graphMessage ?? '') ? 'refused_default_method' : 'refused_by_rule';
  }
  return 'rejected';
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

/** The failure a non-2xx answer to `request` means, from its error body (the request's operation and permissions). */
export function errorOfAnswer(
  request: Pick<GraphErrorAnswer, 'operation' | 'method' | 'permissions'>,
  result: { readonly status: number; readonly requestId?: string | undefined },
  error: {
    readonly code?: string | undefined;
    readonly message?: string | undefined;
    readonly requestId?: string | undefined;
  },
): GraphCallError {
  return graphCallError({
    operation: request.operation,
    method: request.method,
    status: result.status,
    code: error.code,
    graphMessage: error.message,
    requestId: result.requestId ?? error.requestId,
    permissions: request.permissions,
  });
}
