/** Graph's error envelope (research §7.1): {"error":{code,message,innerError:{date,request-id,client-request-id}}}. */
import type { GraphRequest, GraphResponse } from './graph-types.js';
import { graphDate } from './ids.js';

export const GRAPH_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

type Ids = Pick<GraphRequest, 'requestId' | 'clientRequestId'>;

export interface ErrorOptions {
  /** Auth-methods backend errors repeat the message in innerError.message (research §3.1). */
  innerMessage?: boolean;
  headers?: Record<string, string>;
  injected?: boolean;
}

export function graphError(
  req: Ids,
  status: number,
  code: string,
  message: string,
  opts: ErrorOptions = {},
): GraphResponse {
  const innerError: Record<string, string> = {};
  if (opts.innerMessage) innerError.message = message;
  innerError.date = graphDate();
  innerError['request-id'] = req.requestId;
  innerError['client-request-id'] = req.clientRequestId;
  return {
    status,
    headers: opts.headers,
    body: { error: { code, message, innerError } },
    injected: opts.injected,
  };
}

export const resourceNotFound = (req: Ids, key: string): GraphResponse =>
  graphError(
    req,
    404,
    'Request_ResourceNotFound',
    `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const invalidObjectId = (req: Ids, key: string): GraphResponse =>
  graphError(req, 400, 'Request_BadRequest', `Invalid object identifier '${key}'.`);

export const segmentNotFound = (req: Ids, segment: string): GraphResponse =>
  graphError(req, 400, 'BadRequest', `Resource not found for the segment '${segment}'.`);

export const badRequest = (req: Ids, message: string): GraphResponse =>
  graphError(req, 400, 'badRequest', message, { innerMessage: true });

export const directoryBadRequest = (req: Ids, message: string): GraphResponse =>
  graphError(req, 400, 'Request_BadRequest', message);

export const invalidJson = (req: Ids): GraphResponse =>
  graphError(
    req,
    400,
    'BadRequest',
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  );

export const methodNotAllowed = (req: Ids, method: string): GraphResponse =>
  graphError(
    req,
    405,
    'Request_BadRequest',
    `The HTTP method '${method}' is not supported for the requested resource.`,
  );

/** 403 on /authentication/* (research §6). */
export const accessDenied = (req: Ids): GraphResponse =>
  graphError(req, 403, 'accessDenied', 'Request Authorization failed', { innerMessage: true });

/** 403 on directory paths (research §6). */
export const authorizationDenied = (req: Ids): GraphResponse =>
  graphError(req, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

export const invalidToken = (req: Ids, message: string): GraphResponse =>
  graphError(req, 401, 'InvalidAuthenticationToken', message, {
    headers: {
      'www-authenticate':
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    },
  });

/** The documented 429 body (research §7.2). */
export function tooManyRequests(req: Ids, headers: Record<string, string>): GraphResponse {
  return {
    status: 429,
    headers,
    injected: true,
    body: {
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: {
          code: '429',
          date: graphDate(),
          message: 'Please retry after',
          'request-id': req.requestId,
          'client-request-id': req.clientRequestId,
          status: '429',
        },
      },
    },
  };
}
