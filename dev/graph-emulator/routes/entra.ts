/**
 * Entra ID v2 endpoints: OpenID metadata, JWKS and the token endpoint (client credentials here; the device code and
 * refresh token grants in device-code.ts), with AADSTS-style errors.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorCore } from '../emulator-core.js';
import { TOKEN_LIFETIME_SECONDS } from '../emulator-core.js';
import type { GraphResponse } from '../graph-types.js';
import { delegatedGrant, deviceCodeEndpoint } from './device-code.js';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export function aadError(
  core: EmulatorCore,
  status: number,
  error: string,
  code: number,
  message: string,
  extra: Record<string, string> = {},
): GraphResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const ts = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    status,
    headers: { 'cache-control': 'no-store, no-cache' },
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${ts}`,
      error_codes: [code],
      timestamp: ts,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${core.baseUrl}/error?code=${code}`,
      ...extra,
    },
  };
}

export function openIdConfiguration(core: EmulatorCore, tenant: string): GraphResponse {
  if (tenant.toLowerCase() !== core.state.tenantId) {
    return aadError(core, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
  }
  const base = `${core.baseUrl}/${core.state.tenantId}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: core.issuer,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${core.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'azp', 'roles', 'ver'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    },
  };
}

export function jwks(core: EmulatorCore, tenant: string): GraphResponse {
  if (tenant.toLowerCase() !== core.state.tenantId) {
    return aadError(core, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
  }
  return { status: 200, body: core.signer.jwks() };
}

/** Scope `{resource}/.default` → resource app id: Graph, or the API by `{apiAppId}` or `api://{apiAppId}`. */
export function resolveScope(core: EmulatorCore, scope: string): { resourceAppId?: string; error?: GraphResponse } {
  const scopes = scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
  if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
    return {
      error: aadError(
        core,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      ),
    };
  }
  const resource = scopes[0].slice(0, -'/.default'.length);
  const resourceAppId = core.state.audienceAppId(resource);
  if (!resourceAppId) {
    return {
      error: aadError(
        core,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${core.state.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      ),
    };
  }
  return { resourceAppId };
}

/** POST /{tenant}/oauth2/v2.0/devicecode: the tenant and method as the token endpoint checks them, then device-code.ts. */
export function deviceCodeRoute(
  core: EmulatorCore,
  tenant: string,
  method: string,
  rawBody: string,
  contentType: string,
): GraphResponse {
  if (tenant.toLowerCase() !== core.state.tenantId) {
    return aadError(core, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
  }
  if (method !== 'POST') {
    return aadError(core, 400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
  }
  return deviceCodeEndpoint(core, rawBody, contentType);
}

export function tokenEndpoint(
  core: EmulatorCore,
  tenant: string,
  method: string,
  rawBody: string,
  contentType: string,
): GraphResponse {
  if (tenant.toLowerCase() !== core.state.tenantId) {
    return aadError(
      core,
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }
  if (method !== 'POST') {
    return aadError(core, 400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
  }
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return aadError(
      core,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  }
  const form = new URLSearchParams(rawBody);
  const delegated = delegatedGrant(core, form);
  if (delegated) return delegated;
  for (const p of ['grant_type', 'client_id', 'scope']) {
    if (!form.get(p)) {
      return aadError(
        core,
        400,
        'invalid_request',
        900144,
        `The request body must contain the following parameter: '${p}'.`,
      );
    }
  }
  const grant = form.get('grant_type') as string;
  if (grant !== 'client_credentials') {
    return aadError(
      core,
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
    );
  }
  const clientId = (form.get('client_id') as string).toLowerCase();
  if (!core.state.secrets.has(clientId)) {
    return aadError(
      core,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${core.state.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const secret = form.get('client_secret');
  if (!secret) {
    return aadError(
      core,
      401,
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    );
  }
  const expected = core.state.secrets.get(clientId);
  if (expected === undefined || secret !== expected) {
    return aadError(
      core,
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
  }
  const scope = resolveScope(core, form.get('scope') as string);
  if (scope.error) return scope.error;
  const { token } = core.issueToken(clientId, scope.resourceAppId as string);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store, no-cache' },
    body: {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS - 1,
      ext_expires_in: TOKEN_LIFETIME_SECONDS - 1,
      access_token: token,
    },
  };
}
