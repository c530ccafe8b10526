// The one table of authentication-method types (research graph-auth-methods §1-§4). Everything the service says
// about a type is derived from it: the names callers may use, the portal scope, the delete order, which types can be
// the default MFA method and which preference values designate them. How Graph spells and addresses each type lives
// in the Graph adapter's own table, keyed by these names (src/lib/graph/method-catalogue.ts).
// A type that is not in here is never deleted: it is reported as unknown.
//
// Adding a type: a row here, the Graph adapter's row (compilation fails without it), the emulator's row
// (dev/graph-emulator/state/method-types.ts) and the type in api/openapi.yaml and docs/api.md
// (test/domain/method-types.test.ts fails until all four agree).

/** The phone slots Graph knows (a user has at most one of each). */
export const phoneTypes = ['mobile', 'alternateMobile', 'office'] as const;
export type PhoneType = (typeof phoneTypes)[number];

/**
 * One row per type. The key order is the order of the API vocabulary (error messages and docs list it).
 * - `deletable`: false for the password, which has no delete;
 * - `serviceDeletes`: false for a type Graph does not let an application delete for another user (hardware OATH
 *   tokens: the beta delete page says "Application: Not supported", see src/lib/graph/method-catalogue.ts). Such a
 *   type stays selectable and is listed, but the planner never deletes it: it is reported in `skipped` and in
 *   `methodsRemaining` with the reason `delegated_admin_required` (an administrator removes it with delegated rights,
 *   or the user keeps it);
 * - `portal`: whether the Entra portal's "Require re-register MFA" removes (or deactivates) the type;
 * - `deleteOrder`: order within a delete pass, lower first (research §3.4); the default method always goes last;
 * - `defaultAs`: the `userPreferredMethodForSecondaryAuthentication` values that make a method of this type the
 *   default (a phone's depend on its slot); a type with none cannot be the default. `takeover` ranks which staying
 *   method becomes the default when the current one is deleted (lower first; a value without one is never chosen).
 */
export const methodTypeTable = {
  password: { deletable: false, serviceDeletes: false, portal: false, deleteOrder: 0, defaultAs: [] },
  phone: {
    deletable: true,
    serviceDeletes: true,
    portal: true,
    // Phones last among the non-defaults: office, then alternateMobile, then mobile (phoneDeleteOrder below).
    deleteOrder: 120,
    defaultAs: [
      { value: 'sms', phoneType: 'mobile', takeover: 2 },
      { value: 'voiceMobile', phoneType: 'mobile' },
      { value: 'voiceAlternateMobile', phoneType: 'alternateMobile', takeover: 6 },
      { value: 'voiceOffice', phoneType: 'office', takeover: 5 },
    ],
  },
  email: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 10, defaultAs: [] },
  microsoftAuthenticator: {
    deletable: true,
    serviceDeletes: true,
    portal: true,
    deleteOrder: 110,
    defaultAs: [{ value: 'push', takeover: 1 }],
  },
  fido2: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 20, defaultAs: [] },
  softwareOath: {
    deletable: true,
    serviceDeletes: true,
    portal: true,
    deleteOrder: 90,
    defaultAs: [{ value: 'oath', takeover: 3 }],
  },
  hardwareOath: {
    deletable: true,
    serviceDeletes: false,
    portal: true,
    deleteOrder: 100,
    defaultAs: [{ value: 'oath', takeover: 4 }],
  },
  temporaryAccessPass: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 50, defaultAs: [] },
  windowsHelloForBusiness: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 30, defaultAs: [] },
  platformCredential: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 40, defaultAs: [] },
  externalAuthentication: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 60, defaultAs: [] },
  qrCodePin: { deletable: true, serviceDeletes: true, portal: false, deleteOrder: 70, defaultAs: [] },
  passwordlessMicrosoftAuthenticator: {
    deletable: true,
    serviceDeletes: true,
    portal: false,
    deleteOrder: 80,
    defaultAs: [],
  },
} as const satisfies Readonly<Record<string, MethodTypeRow>>;

interface MethodTypeRow {
  readonly deletable: boolean;
  readonly serviceDeletes: boolean;
  readonly portal: boolean;
  readonly deleteOrder: number;
  readonly defaultAs: readonly {
    readonly value: string;
    readonly phoneType?: PhoneType;
    readonly takeover?: number;
  }[];
}

type Table = typeof methodTypeTable;

/** A method type's name, as callers write it in `options.methods` and `options.keep`. */
export type MethodTypeName = keyof Table;

/** `userPreferredMethodForSecondaryAuthentication` values of beta signInPreferences that this service can set. */
export type PreferredMethodValue = Table[MethodTypeName]['defaultAs'][number]['value'];

const rows = Object.entries(methodTypeTable) as [MethodTypeName, MethodTypeRow][];

/** Every type name, in vocabulary order. */
export const methodTypeNames = rows.map(([name]) => name) as readonly MethodTypeName[] as readonly [
  MethodTypeName,
  ...MethodTypeName[],
];

/** Types a caller may ask to delete (DESIGN §3 `methods: "all"`): the password is never deleted. */
export const deletableMethodTypeNames: readonly MethodTypeName[] = rows.filter(([, r]) => r.deletable).map(([n]) => n);

/** Types the portal's "Require re-register MFA" removes (DESIGN §3 `methods: "portal"`). */
export const portalScope: readonly MethodTypeName[] = rows.filter(([, r]) => r.portal).map(([n]) => n);

/** Types that can be the default MFA method (deleting the default is refused while another such method exists). */
export const defaultCapableTypes: readonly MethodTypeName[] = rows
  .filter(([, r]) => r.defaultAs.length > 0)
  .map(([n]) => n);

/** Every preference value, each once. */
export const preferredMethodValues: readonly PreferredMethodValue[] = [
  ...new Set(rows.flatMap(([, r]) => r.defaultAs.map((d) => d.value as PreferredMethodValue))),
];

export function isMethodTypeName(name: string): name is MethodTypeName {
  return Object.hasOwn(methodTypeTable, name);
}

export function isDeletable(name: MethodTypeName): boolean {
  return methodTypeTable[name].deletable;
}

/** Whether this service (application permissions) may delete methods of the type; see `serviceDeletes`. */
export function serviceDeletes(name: MethodTypeName): boolean {
  return methodTypeTable[name].serviceDeletes;
}

export function isDefaultCapable(name: MethodTypeName): boolean {
  return methodTypeTable[name].defaultAs.length > 0;
}

/** Which preference values name a method (a phone's depend on its slot; none when the slot is unknown). */
export function preferenceValuesFor(type: MethodTypeName, phoneType?: PhoneType): readonly PreferredMethodValue[] {
  const row: MethodTypeRow = methodTypeTable[type];
  return row.defaultAs
    .filter((d) => d.phoneType === undefined || d.phoneType === phoneType)
    .map((d) => d.value as PreferredMethodValue);
}

/** Which staying method takes over as default, most usable first: a type (and phone slot) and the value to set. */
export const takeoverOrder: readonly {
  readonly type: MethodTypeName;
  readonly phoneType?: PhoneType;
  readonly value: PreferredMethodValue;
}[] = rows
  .flatMap(([type, r]) =>
    r.defaultAs.flatMap((d) =>
      d.takeover === undefined
        ? []
        : [{ type, value: d.value as PreferredMethodValue, takeover: d.takeover, phoneType: d.phoneType }],
    ),
  )
  .sort((a, b) => a.takeover - b.takeover)
  .map(({ type, value, phoneType }) => ({ type, value, ...(phoneType ? { phoneType } : {}) }));

/** Delete order of a phone slot, added to the phone type's order: office, then alternateMobile, then mobile. */
const phoneDeleteOrder: Readonly<Record<PhoneType, number>> = { office: 0, alternateMobile: 1, mobile: 2 };

/** Position of a method in a delete pass (lower first). */
export function deleteOrder(type: MethodTypeName, phoneType?: PhoneType): number {
  return methodTypeTable[type].deleteOrder + (phoneType ? phoneDeleteOrder[phoneType] : 0);
}
