// templateUrl keeps only the API's words: anything else in a path (a UPN, an id, a callback URL's secret path) is
// `{id}`, every query value `{value}` and every parameter name but OData's `$` options `{name}`.
import { describe, expect, it } from 'vitest';
import { graphPathWords } from '../../src/lib/graph/index.js';
import { templateUrl, wordSet } from '../../src/lib/telemetry/url-template.js';

const words = wordSet(graphPathWords);
const template = (url: string) => templateUrl(new URL(url), words);

describe('templateUrl', () => {
  it('templates Graph paths, casts and query values', () => {
    expect(
      template('https://graph.microsoft.com/v1.0/users/ada%40contoso.example?$select=id,userPrincipalName'),
    ).toEqual({
      full: 'https://graph.microsoft.com/v1.0/users/{id}?$select={value}',
      path: '/v1.0/users/{id}',
      query: '?$select={value}',
    });
    expect(
      template(
        "https://graph.microsoft.com/v1.0/users/5e000000-0000-4000-8000-000000000001/transitiveMemberOf/microsoft.graph.group?$filter=id eq 'x'&$top=999",
      ).full,
    ).toBe(
      'https://graph.microsoft.com/v1.0/users/{id}/transitiveMemberOf/microsoft.graph.group?$filter={value}&$top={value}',
    );
    expect(template('https://graph.microsoft.com/beta/Users/ABC/Authentication/qrCodePinMethod').path).toBe(
      '/beta/Users/{id}/Authentication/qrCodePinMethod',
    );
  });

  it('leaves nothing of a foreign URL but its origin', () => {
    const secret = 'sig-Zx81kq0fP';
    const templated = template(
      `https://prod-01.example.net:8443/workflows/abc123/triggers/manual/paths/invoke?api-version=2016-10-01&sig=${secret}&${secret}=1`,
    );
    expect(templated.full).toBe(
      'https://prod-01.example.net:8443/{id}/{id}/{id}/{id}/{id}/{id}?{name}={value}&{name}={value}&{name}={value}',
    );
    // Words the API knows are still identifiers when they hide in encoded or mixed segments.
    expect(template('https://graph.microsoft.com/v1.0/users/me%2Fx').path).toBe('/v1.0/users/{id}');
  });
});
