import { describe, expect, it } from 'vitest';
import { deletableMethodTypeNames, isDeletable } from '../../src/lib/domain/index.js';
import {
  deleteOperation,
  deletePath,
  graphMethodTypes,
  typeOfOdataType,
} from '../../src/lib/graph/method-catalogue.js';
import { encodeUserKey, filterGuid } from '../../src/lib/graph/user-key.js';

const user = '6b9c2a4e-1d1f-4d3a-9c61-0e3b9f6f1a11';

describe('method catalogue', () => {
  it('maps every @odata.type to its documented delete path', () => {
    const paths = Object.fromEntries(
      deletableMethodTypeNames.map((t) => [t, `${graphMethodTypes[t].deleteVersion} ${deletePath(t, user, 'M')}`]),
    );
    expect(paths).toEqual({
      email: `v1.0 /users/${user}/authentication/emailMethods/M`,
      fido2: `v1.0 /users/${user}/authentication/fido2Methods/M`,
      windowsHelloForBusiness: `v1.0 /users/${user}/authentication/windowsHelloForBusinessMethods/M`,
      platformCredential: `v1.0 /users/${user}/authentication/platformCredentialMethods/M`,
      temporaryAccessPass: `v1.0 /users/${user}/authentication/temporaryAccessPassMethods/M`,
      externalAuthentication: `v1.0 /users/${user}/authentication/externalAuthenticationMethods/M/$ref`,
      qrCodePin: `beta /users/${user}/authentication/qrCodePinMethod`,
      passwordlessMicrosoftAuthenticator: `beta /users/${user}/authentication/passwordlessMicrosoftAuthenticatorMethods/M`,
      softwareOath: `v1.0 /users/${user}/authentication/softwareOathMethods/M`,
      hardwareOath: `beta /users/${user}/authentication/hardwareOathMethods/M`,
      microsoftAuthenticator: `v1.0 /users/${user}/authentication/microsoftAuthenticatorMethods/M`,
      phone: `v1.0 /users/${user}/authentication/phoneMethods/M`,
    });
    expect(isDeletable('password')).toBe(false);
    expect(deleteOperation('externalAuthentication')).toBe(
      'DELETE /users/{id}/authentication/externalAuthenticationMethods/{id}/$ref',
    );
    expect(deleteOperation('qrCodePin')).toBe('DELETE /beta/users/{id}/authentication/qrCodePinMethod');
  });

  it('knows types by @odata.type, with or without #, and nothing else', () => {
    expect(typeOfOdataType('#microsoft.graph.fido2AuthenticationMethod')).toBe('fido2');
    expect(typeOfOdataType('microsoft.graph.qrCodePinAuthenticationMethod')).toBe('qrCodePin');
    expect(typeOfOdataType('#microsoft.graph.resourceAccountKeyAuthenticationMethod')).toBeUndefined();
  });
});

describe('user keys in Graph URLs', () => {
  it('encodes every character that could change the URL', () => {
    expect(encodeUserKey("o'brien#EXT#@contoso.com")).toBe('o%27brien%23EXT%23%40contoso.com');
  });

  it('lets only GUIDs into a $filter', () => {
    expect(filterGuid(user.toUpperCase())).toBe(user);
    expect(() => filterGuid("x' or 1 eq 1")).toThrow(TypeError);
  });
});
