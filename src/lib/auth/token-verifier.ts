// Validates Entra ID v2 access tokens in code (security.md §2): RS256 signature through the tenant's JWKS (cached,
// refetched when an unknown kid shows up: key rotation), issuer, audience (client id or api://client id), tenant,
// exp/nbf. Each refusal names its reason. A person's (delegated) token must also hold the API's scope in `scp` (403
// missing-scope otherwise). The principal carries ids only (src/lib/domain/requester.ts).

import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/index.js';
import { API_SCOPE, type IdentityType } from '../domain/index.js';
import { missingScope, signingKeysUnavailable, tokenRejected, type TokenFailure } from './auth-errors.js';
import type { Principal } from './principal.js';

export interface TokenVerifierOptions {
  /** Key source (default: the remote JWKS at `auth.jwksUri`). */
  readonly keys?: JWTVerifyGetKey;
  /** Minimum time between JWKS refetches triggered by unknown kids (default 5000 ms; bounds refetch abuse). */
  readonly jwksCooldownMs?: number;
  /** Accepted clock skew for exp/nbf (default 60 s). */
  readonly clockToleranceSeconds?: number;
}

export interface TokenVerifier {
  /** The caller behind an Authorization header value; throws a ProblemException (401 / 503) otherwise. */
  verify(authorization: string | null | undefined): Promise<Principal>;
}

function claimFailure(claim: string): TokenFailure {
  switch (claim) {
    case 'iss':
      return 'wrong_issuer';
    case 'aud':
      return 'wrong_audience';
    case 'nbf':
      return 'not_yet_valid';
    case 'exp':
      return 'expired';
    default:
      return 'invalid_claims';
  }
}

function failureOf(e: unknown): TokenFailure | 'keys_unavailable' {
  if (e instanceof errors.JWTExpired) return 'expired';
  if (e instanceof errors.JWTClaimValidationFailed) return claimFailure(e.claim);
  if (e instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (e instanceof errors.JWKSNoMatchingKey) return 'unknown_key';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return 'keys_unavailable';
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return 'malformed';
  if (e instanceof errors.JOSEError) return 'malformed';
  // Anything else is the JWKS fetch failing (network, TLS, HTTP status): our problem, not the caller's.
  return 'keys_unavailable';
}

const stringClaim = (payload: JWTPayload, name: string): string | undefined => {
  const v = payload[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * App or person: a delegated token carries the scopes granted to the client (`scp`) and, with the optional claim
 * configured, `idtyp` = `user`; an app-only token carries no `scp` and `idtyp` = `app` (or no `idtyp`). A token whose
 * claims contradict each other (`idtyp` = `app` with `scp`, `idtyp` = `user` without) is refused (undefined).
 */
function identityTypeOf(payload: JWTPayload): IdentityType | undefined {
  const idtyp = payload.idtyp;
  const delegated = payload.scp !== undefined;
  if (idtyp === undefined) return delegated ? 'user' : 'app';
  if (idtyp === 'user' && delegated) return 'user';
  if (idtyp === 'app' && !delegated) return 'app';
  return undefined;
}

export function createTokenVerifier(auth: AuthConfig, options: TokenVerifierOptions = {}): TokenVerifier {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(auth.jwksUri), {
      cooldownDuration: options.jwksCooldownMs ?? 5000,
      timeoutDuration: 5000,
    });
  const audiences = [auth.audience, `api://${auth.audience}`];
  const clockTolerance = options.clockToleranceSeconds ?? 60;
  const scope = auth.scope ?? API_SCOPE;

  return {
    async verify(authorization) {
      const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)[ ]*$/i.exec(authorization ?? '');
      if (!authorization || authorization.trim() === '') throw tokenRejected('missing_token');
      if (!match?.[1]) throw tokenRejected('malformed');
      const token = match[1];

      // Refuse other algorithms by name before touching keys (alg none, HS256 with the public key as secret…).
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw tokenRejected('malformed');
      }
      if (alg !== 'RS256') throw tokenRejected('alg_not_allowed');

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ['RS256'],
          issuer: auth.issuer,
          audience: audiences,
          clockTolerance,
          requiredClaims: ['exp', 'tid'],
        }));
      } catch (e) {
        const failure = failureOf(e);
        if (failure === 'keys_unavailable') throw signingKeysUnavailable();
        throw tokenRejected(failure);
      }

      const tenantId = stringClaim(payload, 'tid');
      if (!tenantId) throw tokenRejected('invalid_claims');
      if (tenantId.toLowerCase() !== auth.tenantId) throw tokenRejected('wrong_tenant');
      const appId = stringClaim(payload, 'azp') ?? stringClaim(payload, 'appid');
      if (!appId) throw tokenRejected('invalid_claims');
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      const identityType = identityTypeOf(payload);
      const objectId = stringClaim(payload, 'oid');
      // A delegated token makes the person the requester: without their oid nobody could say who it was.
      if (!identityType || (identityType === 'user' && !objectId)) throw tokenRejected('invalid_claims');
      // A person's token must carry the API's delegated permission; the app role (`roles`) still decides what they
      // may do. App tokens carry no `scp` (identityTypeOf refuses one that does).
      if (identityType === 'user') {
        const scp = payload.scp;
        if (typeof scp !== 'string') throw tokenRejected('invalid_claims');
        if (!scp.split(' ').includes(scope)) throw missingScope(scope, appId.toLowerCase());
      }
      const tokenId = stringClaim(payload, 'uti');
      const caller = {
        tenantId: tenantId.toLowerCase(),
        appId: appId.toLowerCase(),
        ...(objectId ? { objectId } : {}),
      };
      // Only ids are taken from the token: never its upn, preferred_username, name or email (domain/requester.ts).
      return { caller, identity: { ...caller, identityType, ...(tokenId ? { tokenId } : {}) }, roles };
    },
  };
}
