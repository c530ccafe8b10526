import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MANAGED_IDENTITY_APP_ID, DEMO_USERS, PHONE_IDS } from '../../dev/graph-emulator/index.js';
import { startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

const SEGMENTS = [
  'v1.0',
  'beta',
  '_emulator',
  'users',
  DEMO_USERS.everything,
  DEMO_USERS.deadlock,
  '00000000-0000-0000-0000-000000000000',
  'authentication',
  'methods',
  'phoneMethods',
  PHONE_IDS.mobile,
  'fido2Methods',
  'qrCodePinMethod',
  'externalAuthenticationMethods',
  '$ref',
  '$count',
  '$batch',
  'signInPreferences',
  'temporaryAccessPassMethods',
  'transitiveMemberOf',
  'ownedObjects',
  'microsoft.graph.directoryRole',
  'microsoft.graph.group',
  'groups',
  'transitiveMembers',
  'identityGovernance',
  'privilegedAccess',
  'group',
  'eligibilityScheduleInstances',
  'roleDefinitions',
  'transitiveRoleAssignments',
  'roleEligibilityScheduleInstances',
  'roleManagement',
  'directory',
  'roleAssignments',
  'servicePrincipals',
  'appRoleAssignments',
  'revokeSignInSessions',
  'tenant',
  'faults',
  'throttle',
  'keys',
  'rotate',
  'msi',
  'token',
  '%',
  '%E0%A4%A',
  '..',
  '',
];

describe('robustness against arbitrary requests', () => {
  let emu: TestEmulator;
  let token: string;
  beforeAll(async () => {
    emu = await startTestEmulator();
    token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('answers every request with a well-formed 2xx-5xx (never a handler crash) and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({ maxLength: 8 })), { minLength: 0, maxLength: 7 }),
        fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
        fc.oneof(
          fc.constant(undefined),
          fc.json().map((j) => j),
          fc.string({ maxLength: 40 }),
          fc.constant('{"requests":[{"id":"1","method":"GET","url":"//["}]}'),
        ),
        fc
          .string({ maxLength: 30 })
          .map((q) => (q ? `?${encodeURIComponent(q).replace(/%3D/g, '=').replace(/%26/g, '&')}` : '')),
        async (segments, method, body, query) => {
          const path = '/' + segments.map((s) => (SEGMENTS.includes(s) ? s : encodeURIComponent(s))).join('/');
          const isControl = segments[0] === '_emulator';
          // Do not let the fuzzer reconfigure the emulator (tenant, faults, throttle, keys): read-only control calls.
          const m = isControl ? 'GET' : method;
          const res = await fetch(`${emu.url}${path}${query}`, {
            method: m,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: m === 'GET' || body === undefined ? undefined : body,
          });
          const text = await res.text();
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          expect(res.status, `${m} ${path}${query} → ${text}`).not.toBe(500);
          if (text) expect(() => JSON.parse(text) as unknown).not.toThrow();
        },
      ),
      { numRuns: 300, seed: 20_261_127 },
    );
    const health = await fetch(`${emu.url}/v1.0/users/${DEMO_USERS.plain}?$select=id`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(health.status).toBe(200);
  });
});
