/** The authentication-method types the emulator knows: their @odata.type, path segment and rules (research §1.3, §2.1). */

export interface MethodKind {
  /** Short name, e.g. 'phone': the service's name of the type (src/lib/domain/method-types.ts), so the control API's
   * knobs and the service speak the same words; test/domain/method-types.test.ts keeps the two tables in step. */
  name: string;
  odataType: string;
  /** Per-type path segment under /users/{user}/authentication. */
  segment: string;
  /** Listed by v1.0's `/authentication/methods` (else by beta's only). */
  v1: boolean;
  /** The per-type segment exists in v1.0's metadata (else in beta only); defaults to `v1`. */
  v1Segment: boolean;
  /** Has a per-type DELETE. */
  deletable: boolean;
  /** The delete page documents `DELETE …/{segment}/{id}/$ref`, and only that form is accepted. */
  deleteByRef: boolean;
  /**
   * An application may delete it for another user. False where the delete page says "Application: Not supported"
   * (hardware OATH); the knob `hardwareOathAppDelete` turns it back on. test/domain/method-types.test.ts keeps this in
   * step with the domain's `serviceDeletes`.
   */
  appDelete: boolean;
  /** `qrCodePinMethod`: a singleton addressed without an id. */
  singleton: boolean;
  /** Counts as "another method" for the default-method rule (research §3.1 proposal). */
  blocksDefault: boolean;
  /** Granular Graph permission that also grants read/write on this type's endpoints (research §6). */
  granular?: string;
}

// The @odata.type is `#microsoft.graph.{name}AuthenticationMethod` unless a kind says otherwise.
const kind = (k: Partial<MethodKind> & Pick<MethodKind, 'name' | 'segment'>): MethodKind => ({
  odataType: `#microsoft.graph.${k.name}AuthenticationMethod`,
  v1: true,
  v1Segment: k.v1 ?? true,
  deletable: true,
  deleteByRef: false,
  appDelete: true,
  singleton: false,
  blocksDefault: false,
  ...k,
});

export const METHOD_KINDS: readonly MethodKind[] = [
  kind({ name: 'password', segment: 'passwordMethods', deletable: false }),
  kind({ name: 'phone', segment: 'phoneMethods', blocksDefault: true, granular: 'UserAuthMethod-Phone.ReadWrite.All' }),
  kind({ name: 'email', segment: 'emailMethods', granular: 'UserAuthMethod-Email.ReadWrite.All' }),
  kind({
    name: 'microsoftAuthenticator',
    segment: 'microsoftAuthenticatorMethods',
    blocksDefault: true,
    granular: 'UserAuthMethod-MicrosoftAuthApp.ReadWrite.All',
  }),
  kind({ name: 'fido2', segment: 'fido2Methods', granular: 'UserAuthMethod-Passkey.ReadWrite.All' }),
  kind({
    name: 'softwareOath',
    segment: 'softwareOathMethods',
    blocksDefault: true,
    granular: 'UserAuthMethod-SoftwareOATH.ReadWrite.All',
  }),
  kind({
    name: 'temporaryAccessPass',
    segment: 'temporaryAccessPassMethods',
    granular: 'UserAuthMethod-TAP.ReadWrite.All',
  }),
  kind({
    name: 'windowsHelloForBusiness',
    segment: 'windowsHelloForBusinessMethods',
    granular: 'UserAuthMethod-WindowsHello.ReadWrite.All',
  }),
  kind({
    name: 'platformCredential',
    segment: 'platformCredentialMethods',
    granular: 'UserAuthMethod-PlatformCred.ReadWrite.All',
  }),
  kind({
    name: 'externalAuthentication',
    odataType: '#microsoft.graph.externalAuthenticationMethod',
    segment: 'externalAuthenticationMethods',
    // api/authentication-delete-externalauthenticationmethods (v1.0 and beta) documents the delete with `/$ref`.
    deleteByRef: true,
    granular: 'UserAuthMethod-External.ReadWrite.All',
  }),
  // The type is in v1.0 (and listed there); the `qrCodePinMethod` navigation property of authentication is in beta's
  // metadata only (msgraph-metadata @f54f11b), so v1.0 answers its segment with "Resource not found".
  kind({
    name: 'qrCodePin',
    segment: 'qrCodePinMethod',
    v1Segment: false,
    singleton: true,
    granular: 'UserAuthMethod-QR.ReadWrite.All',
  }),
  kind({
    name: 'hardwareOath',
    segment: 'hardwareOathMethods',
    v1: false,
    // api/authentication-delete-hardwareoathmethods (beta), acting on other users: "Application: Not supported"
    // (the permission reference lists two application permissions: docs/emulator.md, Fidelity).
    appDelete: false,
    blocksDefault: true,
    granular: 'UserAuthMethod-HardwareOATH.ReadWrite.All',
  }),
  kind({
    name: 'passwordlessMicrosoftAuthenticator',
    segment: 'passwordlessMicrosoftAuthenticatorMethods',
    v1: false,
    granular: 'UserAuthMethod-MicrosoftAuthApp.ReadWrite.All',
  }),
];

export const KIND_BY_TYPE = new Map(METHOD_KINDS.map((k) => [k.odataType, k]));
export const KIND_BY_SEGMENT = new Map(METHOD_KINDS.map((k) => [k.segment, k]));
export const PASSWORD_KIND = METHOD_KINDS[0];

/** Fixed ids (research §1.3). */
export const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';
export const EMAIL_METHOD_ID = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';
export const PHONE_IDS = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;
export type PhoneType = keyof typeof PHONE_IDS;

export const PREFERRED_METHODS = ['push', 'oath', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice', 'sms'] as const;
