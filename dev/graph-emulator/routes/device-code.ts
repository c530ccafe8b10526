/**
 * A person's tokens, as the Microsoft identity platform issues them to public clients ("OAuth 2.0 device
 * authorization grant"): POST /{tenant}/oauth2/v2.0/devicecode, then the token endpoint's device_code grant (polled
 * until someone approves) and refresh_token grant (MSAL's silent renewal, another resource with the same sign-in).
 * Delegated access tokens carry `scp` (every permission consented or pre-authorized for the client on the resource),
 * `oid`, `tid`, `azp` and, for the service's API, `roles`: the API's app roles the person holds directly or through a
 * group. AADSTS numbers follow Entra's error reference where it names one; the others are marked as our choice.
 */
import { TOKEN_LIFETIME_SECONDS } from '../emulator-core.js';
import type { EmulatorCore } from '../emulator-core.js';
import type { GraphResponse } from '../graph-types.js';
import type { ScopeRequest } from '../state/delegated-permissions.js';
import { appRolesOf, grantFor, parseScope } from '../state/delegated-permissions.js';
import type { UserState } from '../state/tenant-state.js';
import { aadError } from './entra.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** MSAL sends the short form; Entra ID accepts both. */
const DEVICE_CODE_GRANTS: ReadonlySet<string> = new Set([DEVICE_CODE_GRANT, 'device_code']);

const NO_STORE = { 'cache-control': 'no-store, no-cache' };

const missing = (core: EmulatorCore, p: string): GraphResponse =>
  aadError(core, 400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`);

const unknownClient = (core: EmulatorCore, clientId: string): GraphResponse =>
  aadError(
    core,
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${core.state.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );

/** POST /{tenant}/oauth2/v2.0/devicecode (form: client_id, scope). The tenant and method are checked by the caller. */
export function deviceCodeEndpoint(core: EmulatorCore, rawBody: string, contentType: string): GraphResponse {
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) return missing(core, 'client_id');
  const form = new URLSearchParams(rawBody);
  const clientId = form.get('client_id')?.toLowerCase();
  if (!clientId) return missing(core, 'client_id');
  const scope = form.get('scope');
  if (!scope) return missing(core, 'scope');
  const client = core.state.publicClients.get(clientId);
  if (!client) {
    // A confidential client (it has a secret) is not a public client: it cannot sign people in without its secret.
    if (core.state.secrets.has(clientId)) {
      return aadError(
        core,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    return unknownClient(core, clientId);
  }
  const request = parseScope(core.state, scope);
  if (!request.ok) return aadError(core, 400, request.error, request.code, request.message);
  const auto = core.deviceFlow.settings.autoApproveAs;
  const approved = auto ? core.state.findUser(auto)?.id : undefined;
  const code = core.deviceFlow.start(clientId, scope, approved);
  const verificationUri = `${core.baseUrl}/devicelogin`;
  return {
    status: 200,
    headers: NO_STORE,
    body: {
      user_code: code.userCode,
      device_code: code.deviceCode,
      verification_uri: verificationUri,
      expires_in: core.deviceFlow.settings.lifetimeSeconds,
      interval: core.deviceFlow.settings.intervalSeconds,
      message: `To sign in, open ${verificationUri} and enter the code ${code.userCode}. (Graph emulator: approve it with POST ${core.baseUrl}/_emulator/devicecode/approve.)`,
    },
  };
}

/** The token endpoint's device_code and refresh_token grants; undefined for any other grant type. */
export function delegatedGrant(core: EmulatorCore, form: URLSearchParams): GraphResponse | undefined {
  const grant = form.get('grant_type') ?? '';
  const deviceCode = DEVICE_CODE_GRANTS.has(grant);
  if (!deviceCode && grant !== 'refresh_token') return undefined;
  const clientId = form.get('client_id')?.toLowerCase();
  if (!clientId) return missing(core, 'client_id');
  const client = core.state.publicClients.get(clientId);
  if (!client) return unknownClient(core, clientId);
  return deviceCode ? deviceCodeGrant(core, form, clientId) : refreshTokenGrant(core, form, clientId);
}

function deviceCodeGrant(core: EmulatorCore, form: URLSearchParams, clientId: string): GraphResponse {
  const deviceCode = form.get('device_code');
  if (!deviceCode) return missing(core, 'device_code');
  const code = core.deviceFlow.byDevice(deviceCode);
  // 70018 is the reference's "bad verification code"; an unknown device_code is the same mistake seen from the client.
  if (!code) return aadError(core, 400, 'bad_verification_code', 70018, 'Invalid verification code.');
  if (code.clientId !== clientId) {
    return aadError(core, 400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
  }
  if (code.expiresAt <= Date.now()) {
    return aadError(core, 400, 'expired_token', 70019, 'Verification code expired.');
  }
  if (code.status.kind === 'pending') {
    return aadError(
      core,
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    );
  }
  if (code.status.kind === 'declined') {
    // The reference names no code for a declined sign-in: 70000 (invalid grant) is our choice.
    return aadError(core, 400, 'authorization_declined', 70000, 'The end user declined the authorization request.');
  }
  core.deviceFlow.redeem(code);
  const user = core.state.findUser(code.status.userId);
  const request = parseScope(core.state, code.scope);
  return issueFor(core, clientId, user, request);
}

function refreshTokenGrant(core: EmulatorCore, form: URLSearchParams, clientId: string): GraphResponse {
  const token = form.get('refresh_token');
  if (!token) return missing(core, 'refresh_token');
  const scope = form.get('scope');
  if (!scope) return missing(core, 'scope');
  const grant = core.deviceFlow.refreshGrant(token);
  if (!grant) {
    return aadError(core, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
  }
  // A refresh token is bound to the client it was issued to (AADSTS70000 for another client).
  if (grant.clientId !== clientId) {
    return aadError(core, 400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
  }
  return issueFor(core, clientId, core.state.findUser(grant.userId), parseScope(core.state, scope));
}

/** Access token (plus refresh and id token as asked) for the person, or the refusal Entra ID gives. */
function issueFor(
  core: EmulatorCore,
  clientId: string,
  user: UserState | undefined,
  request: ScopeRequest,
): GraphResponse {
  if (!user) {
    return aadError(core, 400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
  }
  if (!user.accountEnabled) {
    return aadError(core, 400, 'invalid_grant', 50057, 'The user account is disabled.');
  }
  if (!request.ok) return aadError(core, 400, request.error, request.code, request.message);
  const client = core.state.publicClients.get(clientId);
  if (!client) return unknownClient(core, clientId);
  const grant = grantFor(client, request);
  if (!grant.ok) {
    return aadError(
      core,
      400,
      grant.error,
      grant.code,
      grant.message,
      grant.suberror ? { suberror: grant.suberror } : {},
    );
  }
  const api = request.resourceAppId === core.state.apiAppId;
  const roles = api ? appRolesOf(core.state, user) : [];
  const { token } = core.issueToken(clientId, request.resourceAppId, { user, scp: grant.scp.join(' '), roles });
  // Graph's permissions come back bare, the API's qualified by its identifier URI.
  const prefix = api ? `api://${core.state.apiAppId}/` : '';
  const now = Math.floor(Date.now() / 1000);
  const clientInfo = Buffer.from(JSON.stringify({ uid: user.id, utid: core.state.tenantId })).toString('base64url');
  return {
    status: 200,
    headers: NO_STORE,
    body: {
      token_type: 'Bearer',
      scope: grant.scp.map((p) => prefix + p).join(' '),
      expires_in: TOKEN_LIFETIME_SECONDS - 1,
      ext_expires_in: TOKEN_LIFETIME_SECONDS - 1,
      access_token: token,
      ...(request.offline ? { refresh_token: core.deviceFlow.issueRefreshToken(clientId, user.id) } : {}),
      ...(request.openid ? { id_token: idToken(core, clientId, user, now) } : {}),
      client_info: clientInfo,
    },
  };
}

/** The OpenID Connect id token for the client (its audience): who signed in. Only the client reads it. */
function idToken(core: EmulatorCore, clientId: string, user: UserState, now: number): string {
  return core.signer.sign({
    aud: clientId,
    iss: core.issuer,
    iat: now,
    nbf: now,
    exp: now + TOKEN_LIFETIME_SECONDS,
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    sub: user.id,
    tid: core.state.tenantId,
    ver: '2.0',
  });
}
