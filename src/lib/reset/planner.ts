// The planner: a pure function from (methods, default, options) to ordered steps. Steps with the same stage are
// independent and may run in parallel; stages run in order. Rules (research §3):
// - never the password, never a type the method-type table does not know, never a kept type, only snapshot ids when given;
// - the default method goes last (it cannot be deleted while other default-capable methods exist);
// - alternateMobile goes before mobile (mobile cannot be deleted while alternateMobile exists), and mobile is left
//   alone when alternateMobile stays;
// - when the default is to go but a default-capable method stays, the default is first moved to the one that stays;
//   when the default is alternateMobile and mobile goes too (the deadlock), the default is first moved to mobile.
import type {
  GraphMethod,
  MethodRef,
  MethodScope,
  MethodTypeName,
  PhoneType,
  PreferredMethodValue,
} from '../domain/index.js';
import {
  deleteOrder,
  isDefaultCapable,
  isMethodTypeName,
  preferenceValuesFor,
  takeoverOrder,
} from '../domain/index.js';
import { refKey } from './method-refs.js';
import { typesInScope } from './scope.js';

export interface PlanRequest {
  readonly methods: readonly GraphMethod[];
  /** signInPreferences.userPreferredMethodForSecondaryAuthentication (null when unknown or unset). */
  readonly preferred: string | null;
  readonly scope: MethodScope;
  readonly keep: readonly MethodTypeName[];
  /** When given, only these (type, id) pairs may be deleted. */
  readonly snapshot?: readonly MethodRef[];
}

export interface PlannedMethod extends MethodRef {
  readonly type: MethodTypeName;
  readonly phoneType?: PhoneType;
}

export type PlanStep =
  | {
      readonly kind: 'setPreferredMethod';
      readonly stage: number;
      readonly value: PreferredMethodValue;
      readonly reason: 'default_moves_to_kept_method' | 'alternate_mobile_deadlock';
    }
  | { readonly kind: 'delete'; readonly stage: number; readonly method: PlannedMethod; readonly isDefault: boolean };

export type SkipReason = 'alternate_mobile_remains';

export interface Plan {
  /** Ordered by stage; within a stage by the method-type table's delete order. */
  readonly steps: readonly PlanStep[];
  /** The methods to delete, in step order. */
  readonly deletes: readonly PlannedMethod[];
  /** In scope but impossible to delete while something else stays. */
  readonly skipped: readonly { readonly method: PlannedMethod; readonly reason: SkipReason }[];
  readonly unknownTypes: readonly string[];
  readonly stageCount: number;
}

const stagePreference = 0;
const stageMain = 1;
const stageMobile = 2;
const stageDefault = 3;

export function planReset(request: PlanRequest): Plan {
  const inScope = typesInScope(request.scope, request.keep);
  const snapshot = request.snapshot ? new Set(request.snapshot.map((m) => refKey(m.type, m.id))) : undefined;
  const unknownTypes = new Set<string>();
  const known: PlannedMethod[] = [];
  for (const m of request.methods) {
    if (m.type === undefined || !isMethodTypeName(m.type)) {
      unknownTypes.add(m.graphType);
      continue;
    }
    known.push({ type: m.type, id: m.id, ...(m.phoneType ? { phoneType: m.phoneType } : {}) });
  }

  let planned = known.filter(
    (m) => inScope.has(m.type) && (snapshot === undefined || snapshot.has(refKey(m.type, m.id))),
  );
  const plannedKeys = (): Set<string> => new Set(planned.map((m) => refKey(m.type, m.id)));

  // Mobile cannot go while alternateMobile stays.
  const skipped: { method: PlannedMethod; reason: SkipReason }[] = [];
  const alternate = known.find((m) => isPhone(m, 'alternateMobile'));
  if (alternate && !plannedKeys().has(refKey(alternate.type, alternate.id))) {
    for (const m of planned.filter((p) => isPhone(p, 'mobile')))
      skipped.push({ method: m, reason: 'alternate_mobile_remains' });
    planned = planned.filter((p) => !isPhone(p, 'mobile'));
  }

  const keys = plannedKeys();
  const staying = known.filter((m) => !keys.has(refKey(m.type, m.id)));
  const preferred = request.preferred;
  let defaults = new Set(defaultCandidates(known, preferred).map((m) => refKey(m.type, m.id)));
  let plannedDefaults = planned.filter((m) => defaults.has(refKey(m.type, m.id)));
  const steps: PlanStep[] = [];

  if (plannedDefaults.length > 0) {
    const stayingCapable = staying.filter((m) => isDefaultCapable(m.type));
    const defaultStays = stayingCapable.some((m) => defaults.has(refKey(m.type, m.id)));
    if (stayingCapable.length > 0 && !defaultStays) {
      const value = takeoverValue(stayingCapable, known, planned);
      if (value) {
        steps.push({
          kind: 'setPreferredMethod',
          stage: stagePreference,
          value,
          reason: 'default_moves_to_kept_method',
        });
        // Normally nothing planned answers to the new value; if something does (`oath` with one token kept and one
        // going), it goes last.
        plannedDefaults = intersect(defaultCandidates(known, value), planned);
        defaults = new Set(plannedDefaults.map((m) => refKey(m.type, m.id)));
      }
    } else if (stayingCapable.length === 0) {
      const mobile = planned.find((m) => isPhone(m, 'mobile'));
      if (mobile && plannedDefaults.some((m) => isPhone(m, 'alternateMobile'))) {
        steps.push({
          kind: 'setPreferredMethod',
          stage: stagePreference,
          value: 'sms',
          reason: 'alternate_mobile_deadlock',
        });
        defaults = new Set([refKey(mobile.type, mobile.id)]);
        plannedDefaults = [mobile];
      }
    }
  }

  const alternatePlanned = planned.some((m) => isPhone(m, 'alternateMobile'));
  for (const m of planned) {
    const isDefault = defaults.has(refKey(m.type, m.id));
    const stage = isDefault ? stageDefault : alternatePlanned && isPhone(m, 'mobile') ? stageMobile : stageMain;
    steps.push({ kind: 'delete', stage, method: m, isDefault });
  }

  // Compact the stages to 0..n-1 and order deterministically.
  const used = [...new Set(steps.map((s) => s.stage))].sort((a, b) => a - b);
  const compacted = steps
    .map((s) => ({ ...s, stage: used.indexOf(s.stage) }))
    .sort((a, b) => a.stage - b.stage || stepOrder(a) - stepOrder(b) || stepId(a).localeCompare(stepId(b)));
  return {
    steps: compacted,
    deletes: compacted.flatMap((s) => (s.kind === 'delete' ? [s.method] : [])),
    skipped,
    unknownTypes: [...unknownTypes].sort(),
    stageCount: used.length,
  };
}

/** The methods the preference value designates (several when it is ambiguous, e.g. `oath`). */
export function defaultCandidates(methods: readonly PlannedMethod[], preferred: string | null): PlannedMethod[] {
  if (!preferred) return [];
  const matches = methods.filter((m) =>
    (preferenceValuesFor(m.type, m.phoneType) as readonly string[]).includes(preferred),
  );
  // `oath` with no OATH token registered can only be the Authenticator app's one-time codes.
  if (matches.length === 0 && preferred === 'oath') return methods.filter((m) => m.type === 'microsoftAuthenticator');
  return matches;
}

/** The value that makes a staying method the default, preferring values nothing planned also answers to. */
function takeoverValue(
  staying: readonly PlannedMethod[],
  known: readonly PlannedMethod[],
  planned: readonly PlannedMethod[],
): PreferredMethodValue | undefined {
  const values = takeoverOrder
    .filter((c) => staying.some((m) => m.type === c.type && (c.phoneType === undefined || m.phoneType === c.phoneType)))
    .map((c) => c.value);
  return values.find((v) => intersect(defaultCandidates(known, v), planned).length === 0) ?? values[0];
}

function intersect(a: readonly PlannedMethod[], b: readonly PlannedMethod[]): PlannedMethod[] {
  const keys = new Set(b.map((m) => refKey(m.type, m.id)));
  return a.filter((m) => keys.has(refKey(m.type, m.id)));
}

function isPhone(m: PlannedMethod, phoneType: PhoneType): boolean {
  return m.type === 'phone' && m.phoneType === phoneType;
}

function stepOrder(step: PlanStep): number {
  if (step.kind === 'setPreferredMethod') return -1;
  return deleteOrder(step.method.type, step.method.phoneType);
}

function stepId(step: PlanStep): string {
  return step.kind === 'delete' ? step.method.id : '';
}
