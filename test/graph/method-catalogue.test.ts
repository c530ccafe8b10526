import { describe, expect, it } from 'vitest';
import {
  catalogueEntry,
  deletePath,
  entryForOdataType,
  methodCatalogue,
  portalScope,
  preferenceValuesFor,
} from '../../src/lib/graph/method-catalogue.js';
import { encodeUserKey, filterGuid, isUserKey } from '../../src/lib/graph/user-key.js';

const user = '6b9c2a4e-1d1f-4d3a-9c61-0e3b9f6f1a11';

describe('method catalogue', () => {
  it('maps every @odata.type to its documented delete path', () => {
    const paths = Object.fromEntries(
      methodCatalogue.filter((e) => e.deletable).map((e) => [e.name, `${e.deleteVersion} ${deletePath(e, user, 'M')}`]),
    );
    expect(paths).toEqual({
      email: `v1.0 /users/${user}/authentication/emailMethods/M`,
      fido2: `v1.0 /users/${user}/authentication/fido2Methods/M`,
      windowsHelloForBusiness: `v1.0 /users/${user}/authentication/windowsHelloForBusinessMethods/M`,
      platformCredential: `v1.0 /users/${user}/authentication/platformCredentialMethods/M`,
      temporaryAccessPass: `v1.0 /users/${user}/authentication/temporaryAccessPassMethods/M`,
      externalAuthentication: `v1.0 /users/${user}/authentication/externalAuthenticationMethods/M`,
      qrCodePin: `v1.0 /users/${user}/authentication/qrCodePinMethod`,
      passwordlessMicrosoftAuthenticator: `beta /users/${user}/authentication/passwordlessMicrosoftAuthenticatorMethods/M`,
      softwareOath: `v1.0 /users/${user}/authentication/softwareOathMethods/M`,
      hardwareOath: `beta /users/${user}/authentication/hardwareOathMethods/M`,
      microsoftAuthenticator: `v1.0 /users/${user}/authentication/microsoftAuthenticatorMethods/M`,
      phone: `v1.0 /users/${user}/authentication/phoneMethods/M`,
    });
    expect(catalogueEntry('password')?.deletable).toBe(false);
  });

  it('knows types by @odata.type, with or without #, and nothing else', () => {
    expect(entryForOdataType('#microsoft.graph.fido2AuthenticationMethod')?.name).toBe('fido2');
    expect(entryForOdataType('microsoft.graph.qrCodePinAuthenticationMethod')?.name).toBe('qrCodePin');
    expect(entryForOdataType('#microsoft.graph.resourceAccountKeyAuthenticationMethod')).toBeUndefined();
  });

  it('names the portal scope and the preference values', () => {
    expect([...portalScope].sort()).toEqual(['hardwareOath', 'microsoftAuthenticator', 'phone', 'softwareOath']);
    expect(preferenceValuesFor('phone', 'mobile')).toEqual(['sms', 'voiceMobile']);
    expect(preferenceValuesFor('phone', 'alternateMobile')).toEqual(['voiceAlternateMobile']);
    expect(preferenceValuesFor('hardwareOath')).toEqual(['oath']);
    expect(preferenceValuesFor('fido2')).toEqual([]);
  });
});

describe('user keys', () => {
  it('accepts UPNs (guests included) and GUIDs, and nothing that could change the URL', () => {
    expect(isUserKey('adele.vance@contoso.com')).toBe(true);
    expect(isUserKey("o'brien@contoso.com")).toBe(true);
    expect(isUserKey('alice_fabrikam.com#EXT#@contoso.onmicrosoft.com')).toBe(true);
    expect(isUserKey(user.toUpperCase())).toBe(true);
    for (const bad of ['', 'adele', 'a@b', '../users@x.com', 'a/b@c.com', 'a@b.com?x=1', 'a b@c.com', 'a@b.com/..']) {
      expect(isUserKey(bad), bad).toBe(false);
    }
    expect(encodeUserKey("o'brien#EXT#@contoso.com")).toBe('o%27brien%23EXT%23%40contoso.com');
  });

  it('lets only GUIDs into a $filter', () => {
    expect(filterGuid(user.toUpperCase())).toBe(user);
    expect(() => filterGuid("x' or 1 eq 1")).toThrow(TypeError);
  });
});
