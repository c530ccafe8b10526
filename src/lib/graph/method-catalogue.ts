// How Microsoft Graph names and addresses each method type of the domain's table (research graph-auth-methods
// §1-§2, §6): its @odata.type, the collection it is listed in, where it is deleted, and the granular permission
// Graph also accepts on the type's own endpoint. A row per domain type: a type missing here fails compilation.
import type { MethodTypeName, PhoneType } from '../domain/index.js';

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphMethodType {
  readonly odataType: string;
  /** Where the method is listed: v1.0 `/authentication/methods`, or only in beta (its own collection). */
  readonly listedIn: GraphVersion;
  /** API version and path segment after `/users/{id}/authentication/` of the type's own endpoint (and DELETE). */
  readonly deleteVersion: GraphVersion;
  readonly deleteSegment: string;
  /** Addressed without an id (one per user). */
  readonly singleton: boolean;
  /** The delete page documents the item's address followed by `/$ref`. */
  readonly deleteByRef: boolean;
  /** The granular per-type write permission Graph also accepts on the type's own endpoint (research §6). */
  readonly granularWrite?: string;
}

const graph = (name: string): string => `#microsoft.graph.${name}`;
const v1 = (odataName: string, deleteSegment: string, granularWrite?: string): GraphMethodType => ({
  odataType: graph(odataName),
  listedIn: 'v1.0',
  deleteVersion: 'v1.0',
  deleteSegment,
  singleton: false,
  deleteByRef: false,
  ...(granularWrite ? { granularWrite } : {}),
});
const betaOnly = (odataName: string, deleteSegment: string, granularWrite?: string): GraphMethodType => ({
  ...v1(odataName, deleteSegment, granularWrite),
  listedIn: 'beta',
  deleteVersion: 'beta',
});

export const graphMethodTypes = {
  password: v1('passwordAuthenticationMethod', 'passwordMethods'),
  phone: v1('phoneAuthenticationMethod', 'phoneMethods', 'UserAuthMethod-Phone.ReadWrite.All'),
  email: v1('emailAuthenticationMethod', 'emailMethods', 'UserAuthMethod-Email.ReadWrite.All'),
  microsoftAuthenticator: v1(
    'microsoftAuthenticatorAuthenticationMethod',
    'microsoftAuthenticatorMethods',
    'UserAuthMethod-MicrosoftAuthApp.ReadWrite.All',
  ),
  fido2: v1('fido2AuthenticationMethod', 'fido2Methods', 'UserAuthMethod-Passkey.ReadWrite.All'),
  softwareOath: v1(
    'softwareOathAuthenticationMethod',
    'softwareOathMethods',
    'UserAuthMethod-SoftwareOATH.ReadWrite.All',
  ),
  // Listed and read here, never deleted by this service (the domain row's serviceDeletes is false): the beta delete
  // page (api/authentication-delete-hardwareoathmethods, beta) says "Application: Not supported" for acting on other
  // users, while the permission reference (microsoft-graph-devx-content permissions/new/permissions.json @6cbd6bb)
  // lists UserAuthMethod-HardwareOATH.ReadWrite.All and UserAuthenticationMethod.ReadWrite.All for an app-only
  // DELETE of /users/{id}/authentication/hardwareOathMethods/{id}. We follow the stricter page (issue 13).
  hardwareOath: betaOnly(
    'hardwareOathAuthenticationMethod',
    'hardwareOathMethods',
    'UserAuthMethod-HardwareOATH.ReadWrite.All',
  ),
  temporaryAccessPass: v1(
    'temporaryAccessPassAuthenticationMethod',
    'temporaryAccessPassMethods',
    'UserAuthMethod-TAP.ReadWrite.All',
  ),
  windowsHelloForBusiness: v1(
    'windowsHelloForBusinessAuthenticationMethod',
    'windowsHelloForBusinessMethods',
    'UserAuthMethod-WindowsHello.ReadWrite.All',
  ),
  platformCredential: v1(
    'platformCredentialAuthenticationMethod',
    'platformCredentialMethods',
    'UserAuthMethod-PlatformCred.ReadWrite.All',
  ),
  // The CIPP-style rule "type minus Authentication, plus s" is wrong for these two (research §2.1).
  // Deleted as its page documents it (api/authentication-delete-externalauthenticationmethods, v1.0 and beta):
  // `DELETE /users/{id}/authentication/externalAuthenticationMethods/{id}/$ref`. The metadata (msgraph-metadata
  // @f54f11b) makes the relationship contained, where OData has no $ref, and the permission reference lists the path
  // without it; the page is what Microsoft documents as the call, so it is what we send.
  externalAuthentication: {
    ...v1('externalAuthenticationMethod', 'externalAuthenticationMethods', 'UserAuthMethod-External.ReadWrite.All'),
    deleteByRef: true,
  },
  // Listed in v1.0 (the type is in v1.0's metadata) but addressed in beta only: `qrCodePinMethod` is a navigation
  // property of authentication in beta's metadata and not in v1.0's (msgraph-metadata @f54f11b; issue 13), so the
  // delete follows the beta page (api/authentication-delete-qrcodepinmethod, beta). A v1.0 page
  // (api/qrcodepinauthenticationmethod-delete) documents the v1.0 path, which the v1.0 metadata still lacks.
  qrCodePin: {
    ...v1('qrCodePinAuthenticationMethod', 'qrCodePinMethod', 'UserAuthMethod-QR.ReadWrite.All'),
    deleteVersion: 'beta',
    singleton: true,
  },
  // No granular permission is named for this deprecated type: a 403 names the general one only.
  passwordlessMicrosoftAuthenticator: betaOnly(
    'passwordlessMicrosoftAuthenticatorAuthenticationMethod',
    'passwordlessMicrosoftAuthenticatorMethods',
  ),
} as const satisfies Readonly<Record<MethodTypeName, GraphMethodType>>;

const byOdataType = new Map<string, MethodTypeName>(
  (Object.entries(graphMethodTypes) as [MethodTypeName, GraphMethodType][]).map(([name, g]) => [
    g.odataType.toLowerCase(),
    name,
  ]),
);

/** The domain type of an `@odata.type` (with or without the leading `#`), or undefined for an unknown type. */
export function typeOfOdataType(odataType: string): MethodTypeName | undefined {
  return byOdataType.get((odataType.startsWith('#') ? odataType : `#${odataType}`).toLowerCase());
}

/** A short, stable name for an `@odata.type`, safe for audit rows (`#microsoft.graph.fooMethod` → `fooMethod`). */
export function shortOdataName(odataType: string): string {
  return odataType.replace(/^#?microsoft\.graph\./i, '').slice(0, 100);
}

/** Fixed phone method ids by phone type (research §1.3). */
export const phoneMethodIds: Readonly<Record<PhoneType, string>> = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
};

export function phoneTypeOfId(id: string): PhoneType | undefined {
  const lower = id.toLowerCase();
  for (const [type, phoneId] of Object.entries(phoneMethodIds) as [PhoneType, string][]) {
    if (phoneId === lower) return type;
  }
  return undefined;
}

/** Delete path of one method, relative to the Graph root, for the version the row names. */
export function deletePath(type: MethodTypeName, userId: string, methodId: string): string {
  const row: GraphMethodType = graphMethodTypes[type];
  const user = encodeURIComponent(userId);
  if (row.singleton) return `/users/${user}/authentication/${row.deleteSegment}`;
  const item = `/users/${user}/authentication/${row.deleteSegment}/${encodeURIComponent(methodId)}`;
  return row.deleteByRef ? `${item}/$ref` : item;
}

/** The call a delete makes, by its template (for error messages). */
export function deleteOperation(type: MethodTypeName): string {
  const row: GraphMethodType = graphMethodTypes[type];
  const item = row.singleton ? '' : row.deleteByRef ? '/{id}/$ref' : '/{id}';
  return `DELETE ${row.deleteVersion === 'beta' ? '/beta' : ''}/users/{id}/authentication/${row.deleteSegment}${item}`;
}
