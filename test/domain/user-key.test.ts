// One user-key rule for the intake and the worker: a key the intake accepts (202) is one the worker will send to
// Graph, and a key the worker would refuse is refused at the intake with a 400, never failed later.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGuid, isUpn, isUserKey, maxUpnLength, normalizeUserKey } from '../../src/lib/domain/index.js';
import { parseCsvRequest, parseJsonRequest } from '../../src/lib/requests/index.js';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import type { TestEmulator } from '../support/emulator.js';
import { startTestEmulator } from '../support/emulator.js';
import type { EngineUnderTest } from '../engine/support/engine-harness.js';
import { engineFor, opts } from '../engine/support/engine-harness.js';
import { engineTenant } from '../engine/support/engine-tenant.js';

const guid = '6b9c2a4e-1d1f-4d3a-9c61-0e3b9f6f1a11';

/** Keys on both sides of the rule: Entra's user name policy (letters, digits and ' . - _ ! # ^ ~ before the @). */
const accepted = [
  'adele.vance@contoso.com',
  "o'brien@contoso.com",
  'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  'a!b^c~d-e@contoso.com',
  'Adele.Vance@Contoso.COM',
  guid,
  guid.toUpperCase(),
  `${'a'.repeat(maxUpnLength - '@contoso.com'.length)}@contoso.com`,
];
const refused = [
  'a%b@contoso.com',
  'a+b@contoso.com',
  'a&b@contoso.com',
  'a$b@contoso.com',
  'a*b@contoso.com',
  'a=b@contoso.com',
  '.adele@contoso.com',
  'adele.@contoso.com',
  'a..b@contoso.com',
  'a@b@contoso.com',
  `${'a'.repeat(maxUpnLength - '@contoso.com'.length + 1)}@contoso.com`,
  '',
  'adele',
  'a@b',
  '../users@x.com',
  'a/b@c.com',
  'a@b.com?x=1',
  'a b@c.com',
  'a@b.com/..',
  'a@-contoso.com',
  `${guid}x`,
];

function intakeAccepts(key: string): boolean {
  return parseJsonRequest({ user: key, ticket: 'INC0012345', reason: 'lost_device' }, 10).ok;
}

async function csvIntakeAccepts(key: string): Promise<boolean> {
  const csv = `user,ticket,reason\r\n"${key.replace(/"/g, '""')}",INC0012345,lost_device\r\n`;
  const result = await parseCsvRequest([new TextEncoder().encode(csv)], {
    maxRows: 10,
    resetOptions: defaultResetOptions,
  });
  return result.ok;
}

describe('the user-key rule', () => {
  it('accepts UPNs (guests included) and GUIDs, and nothing that could change the URL', () => {
    for (const key of accepted) expect(isUserKey(key), key).toBe(true);
    for (const key of refused) expect(isUserKey(key), key).toBe(false);
    expect(isGuid(guid.toUpperCase())).toBe(true);
    expect(isUpn(guid)).toBe(false);
  });

  it('stores keys trimmed and lower-cased', () => {
    expect(normalizeUserKey('  Adele.Vance@Contoso.COM ')).toBe('adele.vance@contoso.com');
    expect(normalizeUserKey(guid.toUpperCase())).toBe(guid);
    expect(normalizeUserKey('a%b@contoso.com')).toBeUndefined();
  });

  it('is the intake rule: the JSON and CSV forms accept exactly the keys the rule accepts', async () => {
    for (const key of [...accepted, ...refused]) {
      expect({ key, json: intakeAccepts(key) }).toEqual({ key, json: isUserKey(key) });
      expect({ key, csv: await csvIntakeAccepts(key) }).toEqual({ key, csv: isUserKey(key) });
    }
  });

  it('accepts at the intake exactly what it accepts in stored form (property)', () => {
    const keyArb = fc.oneof(
      fc.emailAddress(),
      fc.uuid().map(String),
      fc.string({ maxLength: 40 }),
      fc.constantFrom(...accepted, ...refused),
    );
    fc.assert(
      fc.property(keyArb, (key) => {
        const stored = normalizeUserKey(key);
        expect(intakeAccepts(key)).toBe(stored !== undefined);
        if (stored !== undefined) expect(isUserKey(stored)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('intake and worker agree on every key', () => {
  let emu: TestEmulator;
  let sut: EngineUnderTest;

  /** The Graph adapter refuses to put a key that is not a user key into a URL. */
  async function adapterAccepts(key: string): Promise<boolean> {
    try {
      await sut.graph.getUser(key);
      return true;
    } catch (error) {
      if (error instanceof TypeError) return false;
      throw error;
    }
  }

  beforeAll(async () => {
    emu = await startTestEmulator(engineTenant([]));
    sut = engineFor(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('a key the intake accepts reaches Graph; a key it refuses is one the worker refuses too (a%b@contoso.com)', async () => {
    for (const key of [...accepted, ...refused]) {
      const atIntake = intakeAccepts(key);
      // The worker sees what the intake stores; a refused key is handed over as given (it never gets that far).
      const handed = normalizeUserKey(key) ?? key;
      const result = await sut.engine.reset(handed, opts({ dryRun: true }));
      const atWorker = result.error?.code !== 'invalid_user_key';
      const adapter = await adapterAccepts(handed);
      expect({ key, atIntake, atWorker, adapter }).toEqual({ key, atIntake, atWorker: atIntake, adapter: atIntake });
      if (atWorker) expect({ key, outcome: result.outcome }).toEqual({ key, outcome: 'not_found' });
    }
    expect(intakeAccepts('a%b@contoso.com')).toBe(false);
  });
});
