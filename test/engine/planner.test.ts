import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GraphMethod, MethodScope, MethodTypeName, PhoneType } from '../../src/lib/domain/index.js';
import {
  deletableMethodTypeNames,
  isDefaultCapable,
  isMethodTypeName,
  methodTypeNames,
  serviceDeletes,
} from '../../src/lib/domain/index.js';
import { graphMethodTypes, phoneMethodIds, shortOdataName } from '../../src/lib/graph/method-catalogue.js';
import { refKey } from '../../src/lib/reset/method-refs.js';
import type { Plan, PlanRequest } from '../../src/lib/reset/planner.js';
import { defaultCandidates, planReset } from '../../src/lib/reset/planner.js';

const PASSWORD_ID = '28c10230-6103-485e-b985-444c60001490';
const nonPhoneTypes = methodTypeNames.filter((t) => t !== 'password' && t !== 'phone');
const preferenceValues = ['push', 'oath', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice', 'sms', null] as const;

function method(type: MethodTypeName, id: string, phoneType?: PhoneType): GraphMethod {
  const graphType = shortOdataName(graphMethodTypes[type].odataType);
  return { type, graphType, id, ...(phoneType ? { phoneType } : {}) };
}

const phonesArb = fc.record({ mobile: fc.boolean(), alternateMobile: fc.boolean(), office: fc.boolean() }).map((p) => {
  const out: GraphMethod[] = [];
  // Graph refuses an alternateMobile without a mobile, so a real user never has one.
  if (p.mobile) out.push(method('phone', phoneMethodIds.mobile, 'mobile'));
  if (p.mobile && p.alternateMobile) out.push(method('phone', phoneMethodIds.alternateMobile, 'alternateMobile'));
  if (p.office) out.push(method('phone', phoneMethodIds.office, 'office'));
  return out;
});

const othersArb = fc
  .array(fc.record({ type: fc.constantFrom(...nonPhoneTypes), id: fc.uuid() }), { maxLength: 8 })
  .map((list) => {
    // qrCodePin and email are one per user.
    const seen = new Set<string>();
    return list
      .filter((m) => !(m.type === 'qrCodePin' || m.type === 'email') || (!seen.has(m.type) && seen.add(m.type)))
      .map((m) => method(m.type, m.id));
  });

const unknownArb = fc.array(
  fc.record({
    name: fc.constantFrom('resourceAccountKeyAuthenticationMethod', 'futureAuthenticationMethod'),
    id: fc.uuid(),
  }),
  { maxLength: 2 },
);

const userArb = fc
  .tuple(phonesArb, othersArb, unknownArb)
  .map(([phones, others, unknown]) => [
    method('password', PASSWORD_ID),
    ...others,
    ...phones,
    ...unknown.map((u): GraphMethod => ({ type: undefined, graphType: u.name, id: u.id })),
  ]);

const deletableTypes = [...deletableMethodTypeNames];
const scopeArb: fc.Arbitrary<MethodScope> = fc.oneof(
  fc.constant('all' as const),
  fc.constant('portal' as const),
  fc.subarray([...deletableTypes, 'password' as const]),
);
const requestArb = fc.record({
  methods: userArb,
  preferred: fc.constantFrom(...preferenceValues),
  scope: scopeArb,
  keep: fc.subarray(deletableTypes, { maxLength: 3 }),
});

/** The Graph rules the plan must respect (research §3.1, §3.2; the emulator's counting set). */
function refusal(state: readonly GraphMethod[], preferred: string | null, target: GraphMethod): string | undefined {
  if (target.type === 'password') return 'password';
  if (
    target.type === 'phone' &&
    target.phoneType === 'mobile' &&
    state.some((m) => m.phoneType === 'alternateMobile')
  ) {
    return 'mobile while alternateMobile exists';
  }
  const candidates = defaultCandidates(
    state.filter((m) => m.type !== undefined).map((m) => ({ type: m.type!, id: m.id, phoneType: m.phoneType })),
    preferred,
  );
  const isDefault = candidates[0] && refKey(candidates[0].type, candidates[0].id) === refKey(target.type!, target.id);
  const otherCapable = state.some((m) => m !== target && m.type !== undefined && isDefaultCapable(m.type));
  if (isDefault && otherCapable) return 'default with other methods';
  return undefined;
}

function deleteStages(plan: Plan) {
  return plan.steps.flatMap((s) => (s.kind === 'delete' ? [s] : []));
}

describe('planner properties', () => {
  it('never deletes the password, an unknown type, a kept type, a type out of scope or a hardware token', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const plan = planReset(req);
        const scopeTypes =
          req.scope === 'all'
            ? deletableTypes
            : req.scope === 'portal'
              ? ['phone', 'microsoftAuthenticator', 'softwareOath', 'hardwareOath']
              : req.scope;
        for (const m of plan.deletes) {
          expect(m.type).not.toBe('password');
          expect(m.id).not.toBe(PASSWORD_ID);
          expect(req.keep).not.toContain(m.type);
          expect(scopeTypes).toContain(m.type);
          expect(isMethodTypeName(m.type)).toBe(true);
          expect(serviceDeletes(m.type)).toBe(true);
        }
        // Every hardware token in scope is reported, with the reason the caller can act on.
        const hardwareInScope = req.methods.filter(
          (m) => m.type === 'hardwareOath' && scopeTypes.includes('hardwareOath') && !req.keep.includes('hardwareOath'),
        );
        expect(plan.skipped.filter((s) => s.reason === 'delegated_admin_required').map((s) => s.method.id)).toEqual(
          hardwareInScope.map((m) => m.id),
        );
        const unknown = req.methods.filter((m) => m.type === undefined).length;
        expect(plan.unknownTypes.length > 0).toBe(unknown > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('puts the default last and alternateMobile before mobile', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const plan = planReset(req);
        const deletes = deleteStages(plan);
        const defaults = deletes.filter((d) => d.isDefault);
        for (const d of defaults) {
          for (const other of deletes.filter((x) => !x.isDefault)) expect(other.stage).toBeLessThan(d.stage);
        }
        const alt = deletes.find((d) => d.method.phoneType === 'alternateMobile');
        const mobile = deletes.find((d) => d.method.phoneType === 'mobile');
        if (alt && mobile) expect(alt.stage).toBeLessThan(mobile.stage);
        // Mobile is never planned while alternateMobile stays.
        if (mobile && !alt) expect(req.methods.some((m) => m.phoneType === 'alternateMobile')).toBe(false);
        // A change of default comes before every delete, except of what the new value would also name (deleted first).
        const known = req.methods.flatMap((m) => (m.type ? [{ type: m.type, id: m.id, phoneType: m.phoneType }] : []));
        for (const s of plan.steps.filter((x) => x.kind === 'setPreferredMethod')) {
          const named = new Set(defaultCandidates(known, s.value).map((m) => refKey(m.type, m.id)));
          for (const d of deletes) {
            // The deadlock move makes mobile the default on purpose (it goes last), and the default waits aside on a
            // going method; a move to what stays comes after what else its value names.
            const settles = s.reason === 'default_moves_to_kept_method' || s.reason === 'default_moves_back';
            const first = settles && named.has(refKey(d.method.type, d.method.id));
            if (first) expect(d.stage).toBeLessThan(s.stage);
            else expect(s.stage).toBeLessThan(d.stage);
          }
        }
        // Steps are sorted by stage and stages are 0..n-1.
        expect(plan.steps.map((s) => s.stage)).toEqual([...plan.steps.map((s) => s.stage)].sort((a, b) => a - b));
        expect(new Set(plan.steps.map((s) => s.stage)).size).toBe(plan.stageCount);
      }),
      { numRuns: 500 },
    );
  });

  it('gives a plan that Graph accepts stage by stage, in any order within a stage', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const plan = planReset(req);
        // An ambiguous default (two registrations answer to one preference) is settled by the executor's re-pass.
        const known = req.methods.flatMap((m) => (m.type ? [{ type: m.type, id: m.id, phoneType: m.phoneType }] : []));
        fc.pre(defaultCandidates(known, req.preferred).length <= 1);
        let state = [...req.methods];
        let preferred: string | null = req.preferred;
        for (let stage = 0; stage < plan.stageCount; stage++) {
          const steps = plan.steps.filter((s) => s.stage === stage);
          for (const s of steps) {
            if (s.kind !== 'setPreferredMethod') continue;
            preferred = s.value;
            if (s.reason !== 'default_moves_to_kept_method' && s.reason !== 'default_moves_back') continue;
            // When the default moves to a staying method, nothing else the new value names is still to be deleted.
            const now = state.flatMap((m) => (m.type ? [{ type: m.type, id: m.id, phoneType: m.phoneType }] : []));
            const later = new Set(
              plan.steps.flatMap((x) =>
                x.kind === 'delete' && x.stage > stage ? [refKey(x.method.type, x.method.id)] : [],
              ),
            );
            for (const c of defaultCandidates(now, s.value)) expect(later.has(refKey(c.type, c.id))).toBe(false);
          }
          // Rules only relax as methods go, so the state at the start of the stage is the worst case.
          for (const s of steps) {
            if (s.kind !== 'delete') continue;
            const target = state.find((m) => refKey(m.type ?? '', m.id) === refKey(s.method.type, s.method.id))!;
            expect(refusal(state, preferred, target)).toBeUndefined();
          }
          const gone = new Set(steps.flatMap((s) => (s.kind === 'delete' ? [refKey(s.method.type, s.method.id)] : [])));
          state = state.filter((m) => !gone.has(refKey(m.type ?? '', m.id)));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('re-planning after partial progress gives the remaining steps only', () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), (req, cut) => {
        const plan = planReset(req);
        const k = plan.steps.length === 0 ? 0 : cut % (plan.steps.length + 1);
        const done = plan.steps.slice(0, k);
        let preferred: string | null = req.preferred;
        const gone = new Set<string>();
        for (const s of done) {
          if (s.kind === 'setPreferredMethod') preferred = s.value;
          else gone.add(refKey(s.method.type, s.method.id));
        }
        const remainingMethods = req.methods.filter((m) => !gone.has(refKey(m.type ?? '', m.id)));
        const replanned = planReset({ ...req, methods: remainingMethods, preferred, snapshot: plan.deletes });
        const expected = plan.deletes.filter((m) => !gone.has(refKey(m.type, m.id))).map((m) => refKey(m.type, m.id));
        expect(replanned.deletes.map((m) => refKey(m.type, m.id)).sort()).toEqual([...expected].sort());
        // And the remaining steps never invert the original order.
        const originalStage = new Map(deleteStages(plan).map((s) => [refKey(s.method.type, s.method.id), s.stage]));
        const steps = deleteStages(replanned);
        for (const a of steps) {
          for (const b of steps) {
            if (a.stage < b.stage) {
              expect(originalStage.get(refKey(a.method.type, a.method.id))!).toBeLessThanOrEqual(
                originalStage.get(refKey(b.method.type, b.method.id))!,
              );
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('deletes only snapshot ids when a snapshot is given', () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), (req, seed) => {
        const full = planReset(req);
        const snapshot = full.deletes.filter((_, i) => (seed >> i) % 2 === 0).map((m) => ({ type: m.type, id: m.id }));
        const plan = planReset({ ...req, snapshot });
        const allowed = new Set(snapshot.map((m) => refKey(m.type, m.id)));
        for (const m of plan.deletes) expect(allowed.has(refKey(m.type, m.id))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('planner examples', () => {
  const mobile = method('phone', phoneMethodIds.mobile, 'mobile');
  const alternate = method('phone', phoneMethodIds.alternateMobile, 'alternateMobile');
  const office = method('phone', phoneMethodIds.office, 'office');
  const authenticator = method('microsoftAuthenticator', 'app-1');
  const fido = method('fido2', 'key-1');
  const password = method('password', PASSWORD_ID);
  const base: Omit<PlanRequest, 'methods' | 'preferred'> = { scope: 'all', keep: [] };

  it('breaks the alternateMobile deadlock by moving the default to mobile first', () => {
    const plan = planReset({ ...base, methods: [password, mobile, alternate], preferred: 'voiceAlternateMobile' });
    expect(
      plan.steps.map((s) =>
        s.kind === 'delete' ? `${s.stage}:delete:${s.method.phoneType}` : `${s.stage}:${s.value}`,
      ),
    ).toEqual(['0:sms', '1:delete:alternateMobile', '2:delete:mobile']);
  });

  it('moves the default to a kept method before deleting it', () => {
    const plan = planReset({
      ...base,
      keep: ['microsoftAuthenticator'],
      methods: [password, mobile, authenticator, fido],
      preferred: 'sms',
    });
    expect(plan.steps[0]).toMatchObject({ kind: 'setPreferredMethod', value: 'push', stage: 0 });
    expect(plan.deletes.map((m) => m.type)).toEqual(['fido2', 'phone']);
  });

  it('leaves mobile alone while a kept alternateMobile stays, and says so', () => {
    const plan = planReset({
      ...base,
      scope: ['phone'],
      keep: [],
      snapshot: undefined,
      methods: [password, mobile, alternate, office],
      preferred: null,
    });
    expect(plan.deletes.map((m) => m.phoneType)).toEqual(['office', 'alternateMobile', 'mobile']);
    const kept = planReset({
      ...base,
      methods: [password, mobile, alternate],
      preferred: null,
      snapshot: [{ type: 'phone', id: mobile.id }],
    });
    expect(kept.deletes).toEqual([]);
    expect(kept.skipped).toEqual([
      { method: { type: 'phone', id: mobile.id, phoneType: 'mobile' }, reason: 'alternate_mobile_remains' },
    ]);
  });

  it('never plans a hardware token, whatever the scope, and reports it as skipped for a delegated administrator', () => {
    const hardware = method('hardwareOath', 'hw-1');
    for (const scope of ['all', 'portal', ['hardwareOath', 'fido2']] as const) {
      const plan = planReset({ ...base, scope, methods: [password, hardware, fido], preferred: 'oath' });
      expect(plan.deletes.map((m) => m.type)).toEqual(scope === 'portal' ? [] : ['fido2']);
      expect(plan.skipped).toEqual([
        { method: { type: 'hardwareOath', id: 'hw-1' }, reason: 'delegated_admin_required' },
      ]);
      expect(plan.steps.some((s) => s.kind === 'setPreferredMethod')).toBe(false); // the token stays the default
    }
    expect(
      planReset({ ...base, keep: ['hardwareOath'], methods: [password, hardware], preferred: null }).skipped,
    ).toEqual([]);
  });

  it('moves the default to a staying hardware token only after the software token that also answers to oath is gone', () => {
    const software = method('softwareOath', 'sw-1');
    const hardware = method('hardwareOath', 'hw-1');
    const plan = planReset({
      ...base,
      methods: [password, authenticator, software, hardware, fido],
      preferred: 'push',
    });
    expect(
      plan.steps.map((s) => (s.kind === 'delete' ? `${s.stage}:delete:${s.method.type}` : `${s.stage}:${s.value}`)),
    ).toEqual(['0:delete:softwareOath', '1:oath', '2:delete:fido2', '2:delete:microsoftAuthenticator']);
    expect(plan.deletes.some((m) => m.type === 'hardwareOath')).toBe(false);
  });

  it('with oath naming a staying hardware token and a going software token, the default waits aside meanwhile', () => {
    const software = method('softwareOath', 'sw-1');
    const hardware = method('hardwareOath', 'hw-1');
    const plan = planReset({
      ...base,
      scope: 'portal',
      methods: [password, authenticator, software, hardware, mobile],
      preferred: 'oath',
    });
    expect(
      plan.steps.map((s) => (s.kind === 'delete' ? `${s.stage}:delete:${s.method.type}` : `${s.stage}:${s.value}`)),
    ).toEqual(['0:push', '1:delete:softwareOath', '2:oath', '3:delete:microsoftAuthenticator', '3:delete:phone']);
    expect(plan.steps.filter((s) => s.kind === 'delete').every((s) => !s.isDefault)).toBe(true);
  });

  it('portal scope keeps FIDO2, Windows Hello, e-mail and TAP', () => {
    const methods = [
      password,
      fido,
      method('email', 'e'),
      method('windowsHelloForBusiness', 'w'),
      method('temporaryAccessPass', 't'),
      authenticator,
      mobile,
    ];
    const plan = planReset({ ...base, scope: 'portal', methods, preferred: 'push' });
    expect(plan.deletes.map((m) => m.type)).toEqual(['phone', 'microsoftAuthenticator']);
    expect(plan.steps.at(-1)).toMatchObject({ isDefault: true, method: { type: 'microsoftAuthenticator' } });
  });
});
