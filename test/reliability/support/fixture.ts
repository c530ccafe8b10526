// Tenant fixtures for the reliability and security suites: the demo tenant (apps, managed identity, protected
// users) plus users made for a scenario, each with four deletable methods and a default.
import { createHash } from 'node:crypto';
import {
  demoTenant,
  type FixtureMethod,
  type FixtureUser,
  type TenantFixture,
} from '../../../dev/graph-emulator/index.js';

const guid = (...parts: string[]): string => {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const T = (name: string): string => `#microsoft.graph.${name}AuthenticationMethod`;

/** Four methods: Authenticator (the default, via push), FIDO2, software OATH, Windows Hello. */
export function fourMethods(userId: string): FixtureMethod[] {
  return [
    {
      '@odata.type': T('microsoftAuthenticator'),
      id: guid(userId, 'authenticator'),
      displayName: 'Pixel 8',
      deviceTag: 'SoftwareTokenActivated',
      phoneAppVersion: '6.8.17',
    },
    {
      '@odata.type': T('fido2'),
      id: guid(userId, 'fido2'),
      displayName: 'YubiKey 5 NFC',
      aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      model: 'YubiKey 5 Series',
      attestationCertificates: [],
      attestationLevel: 'attested',
    },
    { '@odata.type': T('softwareOath'), id: guid(userId, 'softwareOath'), secretKey: null },
    {
      '@odata.type': T('windowsHelloForBusiness'),
      id: guid(userId, 'whfb'),
      displayName: 'PC-0001',
      keyStrength: 'normal',
    },
  ];
}

export interface ScenarioUser {
  readonly id: string;
  readonly upn: string;
  readonly methodIds: readonly string[];
  /** The default method's id (the Authenticator). */
  readonly defaultMethodId: string;
}

export function scenarioUser(prefix: string, n: number): FixtureUser & { scenario: ScenarioUser } {
  const id = guid('harden', prefix, String(n));
  const upn = `${prefix}.${String(n).padStart(4, '0')}@contoso.example`;
  const methods = fourMethods(id);
  return {
    id,
    userPrincipalName: upn,
    displayName: `${prefix} ${n}`,
    mail: null,
    methods,
    preferredMethod: 'push',
    scenario: { id, upn, methodIds: methods.map((m) => m.id), defaultMethodId: methods[0].id },
  };
}

/** The demo tenant plus `count` scenario users named `<prefix>.NNNN@contoso.example`. */
export function tenantWith(
  prefix: string,
  count: number,
  extra: readonly FixtureUser[] = [],
): {
  fixture: TenantFixture;
  users: ScenarioUser[];
} {
  const base = demoTenant();
  const made = Array.from({ length: count }, (_, i) => scenarioUser(prefix, i + 1));
  const users: FixtureUser[] = made.map(({ scenario: _scenario, ...user }) => user);
  return { fixture: { ...base, users: [...base.users, ...users, ...extra] }, users: made.map((u) => u.scenario) };
}
