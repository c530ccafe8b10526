import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createGraphCredential, graphScopeFor, hasManagedIdentityEndpoint } from '../../src/lib/graph/credential.js';
import { normaliseGraphBaseUrl } from '../../src/lib/graph/graph-client.js';

describe('createGraphCredential', () => {
  it('uses the managed identity where an endpoint is present (App Service/Functions, the emulator)', () => {
    const env = { IDENTITY_ENDPOINT: 'https://localhost:8443/msi/token', IDENTITY_HEADER: 'x' };
    expect(hasManagedIdentityEndpoint(env)).toBe(true);
    expect(hasManagedIdentityEndpoint({ WEBSITE_INSTANCE_ID: 'abc' })).toBe(true);
    expect(createGraphCredential({ env })).toBeInstanceOf(ManagedIdentityCredential);
    expect(createGraphCredential({ env, clientId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
  });

  it('falls back to DefaultAzureCredential for developers', () => {
    expect(hasManagedIdentityEndpoint({})).toBe(false);
    expect(createGraphCredential({ env: {} })).toBeInstanceOf(DefaultAzureCredential);
  });
});

describe('Graph base URL', () => {
  it('asks for the national cloud audience and the global one elsewhere (the emulator)', () => {
    expect(graphScopeFor('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default');
    expect(graphScopeFor('https://graph.microsoft.us/')).toBe('https://graph.microsoft.us/.default');
    expect(graphScopeFor('https://localhost:8443')).toBe('https://graph.microsoft.com/.default');
  });

  it('normalises the root and refuses http (the Graph client would never send the token)', () => {
    expect(normaliseGraphBaseUrl('https://graph.microsoft.com/v1.0/').href).toBe('https://graph.microsoft.com/');
    expect(() => normaliseGraphBaseUrl('http://localhost:8443')).toThrow(/https/);
  });
});
