/** The App Service managed-identity endpoint, api-version 2019-08-01 (functions-node §4.1–4.2), for the fixture's identity. */
import type { EmulatorCore } from '../emulator-core.js';
import type { GraphResponse } from '../graph-types.js';

const fail = (status: number, error: string, description: string): GraphResponse => ({
  status,
  body: { error, error_description: description },
});

export function managedIdentityToken(
  core: EmulatorCore,
  method: string,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
): GraphResponse {
  if (method !== 'GET') return fail(405, 'invalid_request', 'Use GET.');
  if (headers['x-identity-header'] !== core.identityHeader) {
    return fail(401, 'invalid_request', 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
  }
  if (query.get('api-version') !== '2019-08-01') {
    return fail(
      400,
      'invalid_request',
      `Unsupported api-version '${query.get('api-version') ?? ''}'; this endpoint implements 2019-08-01.`,
    );
  }
  const resource = query.get('resource');
  if (!resource) return fail(400, 'invalid_request', "The 'resource' query parameter is required.");
  const miAppId = core.state.managedIdentityAppId;
  const sp = core.state.servicePrincipals.byAppId.get(miAppId);
  const clientId = query.get('client_id');
  const objectId = query.get('object_id') ?? query.get('principal_id');
  if ((clientId && clientId.toLowerCase() !== miAppId) || (objectId && objectId.toLowerCase() !== sp?.id)) {
    return fail(400, 'invalid_request', 'No managed identity matches the requested identity (client_id / object_id).');
  }
  const resourceAppId = core.state.audienceAppId(resource);
  if (!resourceAppId) {
    return fail(
      400,
      'invalid_resource',
      `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${core.state.tenantId}.`,
    );
  }
  const { token, claims } = core.issueToken(miAppId, resourceAppId);
  return {
    status: 200,
    body: {
      access_token: token,
      expires_on: String(claims.exp),
      resource,
      token_type: 'Bearer',
      client_id: miAppId,
    },
  };
}
