/**
 * The emulator must not invent Graph endpoints: every route it serves (discovered from its router, see
 * support/emulator-routes.ts) exists, for that API version and HTTP method, in the extract of Microsoft's published
 * metadata (graph-facts.json). What the reference lacks but a published API page documents is allowed below, each
 * entry with its page; a known defect being fixed is listed too, and must be removed with the fix.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverServedRoutes } from './support/emulator-routes.js';
import type { ServedRoute } from './support/emulator-routes.js';
import { loadGraphFacts } from './support/graph-facts.js';

interface Allowed {
  /** `METHOD /version/shape`, keys as `{id}`. */
  readonly route: string;
  /** `documented`: on an API page, absent from the metadata. `defect`: wrong, fixed by the issue named. */
  readonly kind: 'documented' | 'defect';
  readonly source: string;
  readonly reason: string;
}

const EXTERNAL_REF =
  'The page documents DELETE …/externalAuthenticationMethods/{id}/$ref; the metadata makes the relationship ' +
  'contained (ContainsTarget), where OData has no $ref, and the permission reference lists the path without it.';

const ALLOWED: readonly Allowed[] = [
  {
    route: 'DELETE /v1.0/users/{id}/authentication/externalAuthenticationMethods/{id}/$ref',
    kind: 'documented',
    source:
      'https://learn.microsoft.com/graph/api/authentication-delete-externalauthenticationmethods?view=graph-rest-1.0',
    reason: EXTERNAL_REF,
  },
  {
    route: 'DELETE /beta/users/{id}/authentication/externalAuthenticationMethods/{id}/$ref',
    kind: 'documented',
    source:
      'https://learn.microsoft.com/graph/api/authentication-delete-externalauthenticationmethods?view=graph-rest-beta',
    reason: EXTERNAL_REF,
  },
];

const facts = loadGraphFacts();
const key = (r: ServedRoute): string => `${r.method} /${r.version}${r.shape}`;

describe('the emulator serves only what Graph publishes', () => {
  let served: ServedRoute[] = [];
  beforeAll(() => {
    served = discoverServedRoutes([
      ...Object.keys(facts.file.versions['v1.0'].paths),
      ...Object.keys(facts.file.versions.beta.paths),
    ]);
  });

  it('finds the routes the product depends on (the discovery works)', () => {
    const found = new Set(served.map(key));
    for (const route of [
      'GET /v1.0/users/{id}',
      'GET /v1.0/users/{id}/authentication/methods',
      'DELETE /v1.0/users/{id}/authentication/phoneMethods/{id}',
      'POST /v1.0/users/{id}/revokeSignInSessions',
      'GET /beta/users/{id}/authentication/hardwareOathMethods',
      'DELETE /beta/users/{id}/authentication/qrCodePinMethod',
      'PATCH /beta/users/{id}/authentication/signInPreferences',
      'GET /v1.0/roleManagement/directory/roleAssignments',
      'POST /v1.0/servicePrincipals/{id}/appRoleAssignments',
    ]) {
      expect(found, route).toContain(route);
    }
  });

  it('serves no path, in any version, that the published metadata lacks (beyond the documented allow-list)', () => {
    const allowed = new Set(ALLOWED.map((a) => a.route));
    const invented = served
      .filter((r) => !facts.pathExists(r.version, r.method, r.shape) && !allowed.has(key(r)))
      .map((r) => {
        const m = facts.match(r.version, r.shape);
        const why = m ? `${r.method} is not an OData method of a ${m.kind}` : facts.whyMissing(r.version, r.shape);
        return `${key(r)} → ${r.status} (e.g. ${r.method} ${r.example}): ${why}`;
      });
    expect(invented, `the emulator answers paths Graph does not have:\n${invented.join('\n')}`).toEqual([]);
  });

  it('answers the external-method delete only in its documented /$ref form', () => {
    const found = new Set(served.map(key));
    for (const version of ['v1.0', 'beta']) {
      const item = `/${version}/users/{id}/authentication/externalAuthenticationMethods/{id}`;
      expect(found).toContain(`DELETE ${item}/$ref`);
      expect(found).not.toContain(`DELETE ${item}`);
    }
  });

  it('keeps the allow-list honest: each entry is absent from the metadata, and a documented one is still served', () => {
    const found = new Set(served.map(key));
    for (const a of ALLOWED) {
      const [method, path] = a.route.split(' ');
      const version = path.startsWith('/beta/') ? 'beta' : 'v1.0';
      expect(facts.pathExists(version, method, path), `${a.route} exists after all: remove it`).toBe(false);
      if (a.kind === 'documented') expect(found, `${a.route} is no longer served: remove it`).toContain(a.route);
    }
  });
});
