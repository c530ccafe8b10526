// Why a token was refused, as named in 401 answers (docs/api.md lists them).

import type { IdentityType } from '../domain/index.js';
import { ProblemException } from '../http/problem.js';

export type TokenFailure =
  | 'missing_token'
  | 'malformed'
  | 'alg_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_tenant'
  | 'invalid_claims';

const messages: Record<TokenFailure, string> = {
  missing_token: 'The request has no bearer token in its Authorization header.',
  malformed: 'The bearer token is not a well-formed JWT.',
  alg_not_allowed: 'The token is not signed with RS256, the only algorithm accepted.',
  unknown_key: "The token's signing key (kid) is not among the tenant's published keys.",
  bad_signature: "The token's signature does not verify.",
  expired: 'The token has expired.',
  not_yet_valid: 'The token is not valid yet (nbf is in the future).',
  wrong_issuer: "The token's issuer is not the configured tenant's issuer.",
  wrong_audience: 'The token was issued for another audience, not this API.',
  wrong_tenant: "The token's tenant (tid) is not the configured tenant.",
  invalid_claims:
    'The token lacks a required claim (tid, azp or appid, exp; oid in a delegated token), one has the wrong type, ' +
    'or idtyp and scp contradict each other.',
};

export function tokenRejected(reason: TokenFailure): ProblemException {
  const header =
    reason === 'missing_token'
      ? 'Bearer realm="mfa-reset"'
      : `Bearer realm="mfa-reset", error="invalid_token", error_description="${messages[reason].replace(/"/g, "'")}"`;
  return new ProblemException({
    slug: 'invalid-token',
    status: 401,
    title: 'Unauthorized',
    detail: messages[reason],
    extensions: { reason },
    headers: { 'www-authenticate': header },
  });
}

export function signingKeysUnavailable(): ProblemException {
  return new ProblemException({
    slug: 'keys-unavailable',
    status: 503,
    title: 'Service Unavailable',
    detail: "The tenant's signing keys could not be fetched; retry shortly.",
    headers: { 'retry-after': '5' },
  });
}

/**
 * 403 for a role the caller lacks. A person (delegated token) gets roles by assignment to them or to a group they are
 * in, not by consent, so the answer says whom to ask.
 */
export function missingRole(role: string, identityType: IdentityType = 'app'): ProblemException {
  const detail =
    identityType === 'user'
      ? `You are signed in, but you do not hold the app role ${role} required for this operation. Ask an administrator ` +
        `to assign you (or a group you are in) the ${role} app role of the mfa-reset API (Enterprise applications → ` +
        'Users and groups); sign in again afterwards.'
      : `The caller lacks the app role ${role} required for this operation.`;
  return new ProblemException({
    slug: 'missing-role',
    status: 403,
    title: 'Forbidden',
    detail,
    extensions: { requiredRole: role },
  });
}

/** 403 for a person's token whose `scp` lacks the API's delegated permission: the client asked for something else. */
export function missingScope(scope: string, clientAppId: string): ProblemException {
  return new ProblemException({
    slug: 'missing-scope',
    status: 403,
    title: 'Forbidden',
    detail:
      `The token was issued to client application ${clientAppId} without the ${scope} delegated permission. Request ` +
      `a token for the scope api://<API client id>/${scope}; the client must be pre-authorized or consented for it.`,
    extensions: { requiredScope: scope, clientAppId },
  });
}
