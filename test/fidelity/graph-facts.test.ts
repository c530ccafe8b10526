/**
 * The extract of Microsoft's Graph metadata and permission reference (test/fidelity/graph-facts.json) and the module
 * that answers from it: the facts issue 13 names, and the path matching a request log needs.
 */
import { describe, expect, it } from 'vitest';
import { permissionTemplate } from '../../scripts/lib/permission-reference.js';
import { loadGraphFacts, parseGraphPath } from './support/graph-facts.js';

const facts = loadGraphFacts();
const USER = '6e7b768e-07e2-4810-8459-485f84f8f204';
const METHOD = '3179e48a-750b-4051-897c-87b9720928f7';

describe('the extract', () => {
  it('names the two public repositories and the commits it was made from', () => {
    const { metadata, permissions } = facts.file.sources;
    expect(metadata.repository).toBe('microsoftgraph/msgraph-metadata');
    expect(permissions.repository).toBe('microsoftgraph/microsoft-graph-devx-content');
    expect(metadata.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(permissions.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(metadata.files['v1.0']).toContain('schemas/type-mappings/v1.0-entity-types.json');
    expect(metadata.files.beta).toContain('schemas/type-mappings/beta-entity-types.json');
  });

  it('decides every template in scope for both versions, and holds permissions for each', () => {
    const decided = (v: 'v1.0' | 'beta') =>
      [...Object.keys(facts.file.versions[v].paths), ...Object.keys(facts.file.versions[v].missing)].sort();
    const templates = decided('v1.0');
    expect(templates.length).toBeGreaterThan(80);
    expect(decided('beta')).toEqual(templates);
    for (const t of templates) expect(permissionTemplate(t) in facts.file.permissions, t).toBe(true);
  });
});

describe('issue 13 facts', () => {
  it('qrCodePinMethod exists in beta only: DELETE /v1.0/users/{id}/authentication/qrCodePinMethod does not', () => {
    const path = `/users/${USER}/authentication/qrCodePinMethod`;
    expect(facts.pathExists('v1.0', 'DELETE', `/v1.0${path}`)).toBe(false);
    expect(facts.whyMissing('v1.0', path)).toMatch(/authentication has no member .*'qrCodePinMethod'/);
    expect(facts.pathExists('beta', 'DELETE', `/beta${path}`)).toBe(true);
    expect(facts.allowedBy('beta', 'DELETE', path)).toEqual([
      'UserAuthMethod-QR.ReadWrite.All',
      'UserAuthenticationMethod.ReadWrite.All',
    ]);
  });

  it('hardware OATH delete has no application permission (the API page overrides the permission reference)', () => {
    const path = `/beta/users/${USER}/authentication/hardwareOathMethods/${METHOD}`;
    expect(facts.pathExists('beta', 'DELETE', path)).toBe(true);
    expect(facts.pathExists('v1.0', 'DELETE', path.replace('/beta/', '/v1.0/'))).toBe(false);
    const answer = facts.permissions('beta', 'DELETE', path);
    expect(answer?.application).toEqual([]);
    expect(facts.allowedBy('beta', 'DELETE', path)).toEqual([]);
    // The disagreement stays visible: the reference itself lists two app permissions.
    expect(answer?.reference).toEqual([
      'UserAuthMethod-HardwareOATH.ReadWrite.All',
      'UserAuthenticationMethod.ReadWrite.All',
    ]);
    expect(answer?.correction?.doc).toMatch(/authentication-delete-hardwareoathmethods\?view=graph-rest-beta$/);
    // Reading them stays allowed.
    expect(facts.allowedBy('beta', 'GET', path)).toContain('UserAuthenticationMethod.Read.All');
  });

  it('RoleEligibilitySchedule.Read.Directory is redundant given RoleManagement.Read.Directory for our role reads', () => {
    const filter = `?$filter=principalId eq '${USER}'`;
    const report = facts.checkTraffic(
      [
        { method: 'GET', url: `/v1.0/roleManagement/directory/roleAssignments${filter}` },
        { method: 'GET', url: `/v1.0/roleManagement/directory/roleEligibilityScheduleInstances${filter}` },
      ],
      ['RoleManagement.Read.Directory', 'RoleEligibilitySchedule.Read.Directory'],
    );
    expect(report.unknownPaths).toEqual([]);
    expect(report.unpermitted).toEqual([]);
    expect(report.redundantGrants).toEqual(['RoleEligibilitySchedule.Read.Directory']);
    // The other way round fails: the eligibility permission does not read active assignments.
    const without = facts.checkTraffic(
      [{ method: 'GET', url: '/v1.0/roleManagement/directory/roleAssignments' }],
      ['RoleEligibilitySchedule.Read.Directory'],
    );
    expect(without.unpermitted.map((u) => u.call)).toEqual(['GET /v1.0/roleManagement/directory/roleAssignments']);
  });

  it('signInPreferences is a beta property, absent from the reference, with permissions from its API pages', () => {
    const path = `/users/${USER}/authentication/signInPreferences`;
    expect(facts.pathExists('v1.0', 'GET', path)).toBe(false);
    expect(facts.match('beta', path)?.kind).toBe('property');
    expect(facts.file.permissions['/users/{id}/authentication/signInPreferences'].referencePath).toBeNull();
    const get = facts.permissions('beta', 'GET', path);
    expect(get?.reference).toEqual([]);
    expect(get?.application).toEqual(['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All']);
    expect(get?.correction?.doc).toMatch(/authentication-get\?view=graph-rest-beta$/);
    expect(facts.allowedBy('beta', 'PATCH', path)).toEqual(['UserAuthenticationMethod.ReadWrite.All']);
  });
});

describe('matching a concrete request to a template', () => {
  it('handles GUIDs, UPN keys (plain or encoded), absolute URLs, query strings, case and a trailing slash', () => {
    const expected = '/users/{id}/authentication/phoneMethods/{id}';
    for (const url of [
      `/v1.0/users/${USER}/authentication/phoneMethods/${METHOD}`,
      `/v1.0/users/adele@contoso.example/authentication/phoneMethods/${METHOD}`,
      `/v1.0/users/adele%40contoso.example/authentication/phoneMethods/${METHOD}?$select=id`,
      `https://graph.microsoft.com/v1.0/users/${USER}/Authentication/PhoneMethods/${METHOD}/`,
    ]) {
      expect(facts.match('v1.0', url)?.template, url).toBe(expected);
    }
  });

  it('matches casts and $count as literals, never as keys', () => {
    const base = `/v1.0/users/${USER}/transitiveMemberOf`;
    expect(facts.match('v1.0', `${base}?$select=id&$top=999`)?.template).toBe('/users/{id}/transitiveMemberOf');
    expect(facts.match('v1.0', `${base}/microsoft.graph.group?$count=true`)?.template).toBe(
      '/users/{id}/transitiveMemberOf/microsoft.graph.group',
    );
    expect(facts.match('v1.0', `${base}/microsoft.graph.group/$count`)?.kind).toBe('count');
    expect(facts.match('v1.0', `${base}/microsoft.graph.user`)).toBeUndefined();
    // A key after a cast addresses one of the collection's entities.
    expect(facts.match('v1.0', `${base}/microsoft.graph.group/${USER}`)).toMatchObject({
      template: '/users/{id}/transitiveMemberOf/microsoft.graph.group/{id}',
      kind: 'entity',
    });
    // Permissions of a cast are those of the relationship it narrows.
    expect(facts.allowedBy('v1.0', 'GET', `${base}/microsoft.graph.group`)).toContain('User.Read.All');
  });

  it('knows the OData methods of each kind of resource', () => {
    expect(facts.pathExists('v1.0', 'POST', `/v1.0/users/${USER}/revokeSignInSessions`)).toBe(true);
    expect(facts.pathExists('v1.0', 'GET', `/v1.0/users/${USER}/revokeSignInSessions`)).toBe(false);
    expect(facts.pathExists('v1.0', 'POST', `/v1.0/users/${USER}/authentication/temporaryAccessPassMethods`)).toBe(
      true,
    );
    expect(facts.pathExists('v1.0', 'DELETE', `/v1.0/users/${USER}/authentication/phoneMethods`)).toBe(false);
    expect(facts.pathExists('v1.0', 'GET', `/v1.0/users/${USER}/authentication/inventedMethods`)).toBe(false);
  });

  it('reads keys in parentheses and rejects a version mismatch', () => {
    expect(parseGraphPath("/v1.0/users('adele@contoso.example')/memberOf").segments).toEqual([
      'users',
      "'adele@contoso.example'",
      'memberOf',
    ]);
    expect(() => facts.match('beta', `/v1.0/users/${USER}`)).toThrow(/v1.0/);
  });
});

describe('checking a query against the type', () => {
  it('finds $select and $filter properties the type lacks, and types the extract does not describe', () => {
    expect(facts.queryProblems('v1.0', `/v1.0/users/${USER}?$select=id,userType,externalUserState`)).toEqual([]);
    expect(facts.queryProblems('v1.0', `/v1.0/users/${USER}?$select=id,shoeSize`)).toEqual([
      "microsoft.graph.user: no property 'shoeSize' in v1.0",
    ]);
    const filter = `?$filter=${encodeURIComponent(`principalId eq '${USER}'`)}`;
    expect(facts.queryProblems('v1.0', `/v1.0/roleManagement/directory/roleAssignments${filter}`)).toEqual([]);
    expect(
      facts.queryProblems('v1.0', `/v1.0/roleManagement/directory/roleAssignments?$filter=ownerId%20eq%20'x'`),
    ).toEqual(["microsoft.graph.unifiedRoleAssignment: no property 'ownerId' in v1.0"]);
    expect(facts.queryProblems('v1.0', `/v1.0/users/${USER}/authentication/methods?$select=id`)).toEqual([
      'microsoft.graph.authenticationMethod: type not in the extract (id unchecked)',
    ]);
    expect(facts.queryProblems('v1.0', `/v1.0/users/${USER}/authentication/methods`)).toEqual([]);
  });
});

describe('checking a request log', () => {
  it('reports unknown paths, unpermitted calls and grants no call needs', () => {
    const report = facts.checkTraffic(
      [
        { method: 'GET', url: `/v1.0/users/${USER}?$select=id,userPrincipalName` },
        { method: 'DELETE', url: `/v1.0/users/${USER}/authentication/qrCodePinMethod` },
        { method: 'DELETE', url: `/v1.0/users/${USER}/authentication/phoneMethods/${METHOD}` },
        { method: 'POST', url: `/v1.0/users/${USER}/revokeSignInSessions` },
        { method: 'GET', url: `/users/${USER}` },
      ],
      ['User.Read.All', 'UserAuthenticationMethod.ReadWrite.All', 'Directory.Read.All'],
    );
    expect(report.unknownPaths.map((u) => `${u.method} ${u.url}`)).toEqual([
      `DELETE /v1.0/users/${USER}/authentication/qrCodePinMethod`,
      `GET /users/${USER}`,
    ]);
    expect(report.unpermitted).toEqual([
      {
        call: 'POST /v1.0/users/{id}/revokeSignInSessions',
        allowedBy: facts.allowedBy('v1.0', 'POST', `/users/${USER}/revokeSignInSessions`),
      },
    ]);
    expect(report.calls).toContain('DELETE /v1.0/users/{id}/authentication/phoneMethods/{id}');
    // Each of the two user-read grants would do alone, so each is redundant given the other.
    expect(report.redundantGrants).toEqual(['Directory.Read.All', 'User.Read.All']);
  });
});
