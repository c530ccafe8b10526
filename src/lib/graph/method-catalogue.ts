// One catalogue of authentication-method types: how Graph names each one, where it is deleted, whether it can be the
// default MFA method and whether the portal's "Require re-register MFA" removes it (research graph-auth-methods §1-§4).
// A type that is not in here is never deleted: it is reported as unknown.
import type { MethodTypeName } from '../reset/contract.js';

/** `userPreferredMethodForSecondaryAuthentication` values of beta signInPreferences. */
export type PreferredMethodValue = 'push' | 'oath' | 'voiceMobile' | 'voiceAlternateMobile' | 'voiceOffice' | 'sms';

export type PhoneType = 'mobile' | 'alternateMobile' | 'office';

export type GraphVersion = 'v1.0' | 'beta';

export interface MethodTypeInfo {
  readonly name: MethodTypeName;
  readonly odataType: string;
  /** False for the password: there is no DELETE for it. */
  readonly deletable: boolean;
  /** Where the method is listed: v1.0 `/authentication/methods`, or only in beta (its own collection). */
  readonly listedIn: GraphVersion;
  /** API version and path segment(s) after `/users/{id}/authentication/`; `null` id means a singleton. */
  readonly deleteVersion: GraphVersion;
  readonly deleteSegment: string;
  readonly singleton: boolean;
  /** Whether the Entra portal's "Require re-register MFA" removes (or deactivates) this type. */
  readonly portal: boolean;
  /** Whether this type can be the default MFA method (then deleting it is refused while other such methods exist). */
  readonly defaultCapable: boolean;
  /** Delete order within a pass (lower first); research §3.4 robust algorithm. */
  readonly order: number;
}

const graph = (name: string): string => `#microsoft.graph.${name}`;

const entries: readonly MethodTypeInfo[] = [
  {
    name: 'password',
    odataType: graph('passwordAuthenticationMethod'),
    deletable: false,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'passwordMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 0,
  },
  {
    name: 'email',
    odataType: graph('emailAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'emailMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 10,
  },
  {
    name: 'fido2',
    odataType: graph('fido2AuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'fido2Methods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 20,
  },
  {
    name: 'windowsHelloForBusiness',
    odataType: graph('windowsHelloForBusinessAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'windowsHelloForBusinessMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 30,
  },
  {
    name: 'platformCredential',
    odataType: graph('platformCredentialAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'platformCredentialMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 40,
  },
  {
    name: 'temporaryAccessPass',
    odataType: graph('temporaryAccessPassAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'temporaryAccessPassMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 50,
  },
  // The CIPP-style rule "type minus Authentication, plus s" is wrong for these two (research §2.1).
  {
    name: 'externalAuthentication',
    odataType: graph('externalAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'externalAuthenticationMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 60,
  },
  {
    name: 'qrCodePin',
    odataType: graph('qrCodePinAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'qrCodePinMethod',
    singleton: true,
    portal: false,
    defaultCapable: false,
    order: 70,
  },
  {
    name: 'passwordlessMicrosoftAuthenticator',
    odataType: graph('passwordlessMicrosoftAuthenticatorAuthenticationMethod'),
    deletable: true,
    listedIn: 'beta',
    deleteVersion: 'beta',
    deleteSegment: 'passwordlessMicrosoftAuthenticatorMethods',
    singleton: false,
    portal: false,
    defaultCapable: false,
    order: 80,
  },
  {
    name: 'softwareOath',
    odataType: graph('softwareOathAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'softwareOathMethods',
    singleton: false,
    portal: true,
    defaultCapable: true,
    order: 90,
  },
  {
    name: 'hardwareOath',
    odataType: graph('hardwareOathAuthenticationMethod'),
    deletable: true,
    listedIn: 'beta',
    deleteVersion: 'beta',
    deleteSegment: 'hardwareOathMethods',
    singleton: false,
    portal: true,
    defaultCapable: true,
    order: 100,
  },
  {
    name: 'microsoftAuthenticator',
    odataType: graph('microsoftAuthenticatorAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'microsoftAuthenticatorMethods',
    singleton: false,
    portal: true,
    defaultCapable: true,
    order: 110,
  },
  // Phones last among the non-defaults: office, then alternateMobile, then mobile (the planner adds the mobile rule).
  {
    name: 'phone',
    odataType: graph('phoneAuthenticationMethod'),
    deletable: true,
    listedIn: 'v1.0',
    deleteVersion: 'v1.0',
    deleteSegment: 'phoneMethods',
    singleton: false,
    portal: true,
    defaultCapable: true,
    order: 120,
  },
];

const byName = new Map<string, MethodTypeInfo>(entries.map((e) => [e.name, e]));
const byOdataType = new Map<string, MethodTypeInfo>(entries.map((e) => [e.odataType.toLowerCase(), e]));

export const methodCatalogue: readonly MethodTypeInfo[] = entries;

export const methodTypeNames: readonly MethodTypeName[] = entries.map((e) => e.name);

export function catalogueEntry(name: string): MethodTypeInfo | undefined {
  return byName.get(name);
}

/** The catalogue entry for an `@odata.type` (with or without the leading `#`), or undefined for an unknown type. */
export function entryForOdataType(odataType: string): MethodTypeInfo | undefined {
  const normalised = (odataType.startsWith('#') ? odataType : `#${odataType}`).toLowerCase();
  return byOdataType.get(normalised);
}

/** A short, stable name for an unknown `@odata.type`, safe for audit rows (`#microsoft.graph.fooMethod` → `fooMethod`). */
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

/** Delete path of one method, relative to the Graph root, for the version the catalogue names. */
export function deletePath(entry: MethodTypeInfo, userId: string, methodId: string): string {
  const user = encodeURIComponent(userId);
  if (entry.singleton) return `/users/${user}/authentication/${entry.deleteSegment}`;
  return `/users/${user}/authentication/${entry.deleteSegment}/${encodeURIComponent(methodId)}`;
}

/** Which preference values name a method (a phone's depends on its phone type). */
export function preferenceValuesFor(type: MethodTypeName, phoneType?: PhoneType): readonly PreferredMethodValue[] {
  switch (type) {
    case 'microsoftAuthenticator':
      return ['push'];
    case 'softwareOath':
    case 'hardwareOath':
      return ['oath'];
    case 'phone':
      if (phoneType === 'mobile') return ['sms', 'voiceMobile'];
      if (phoneType === 'alternateMobile') return ['voiceAlternateMobile'];
      if (phoneType === 'office') return ['voiceOffice'];
      return [];
    default:
      return [];
  }
}

/** Types the portal's "Require re-register MFA" removes (DESIGN §3 `methods: "portal"`). */
export const portalScope: readonly MethodTypeName[] = entries.filter((e) => e.portal).map((e) => e.name);

/** Every deletable type (DESIGN §3 `methods: "all"`). */
export const allDeletableTypes: readonly MethodTypeName[] = entries.filter((e) => e.deletable).map((e) => e.name);
