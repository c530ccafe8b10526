// The planner: a pure function from (methods, default, options) to ordered steps. Steps with the same stage are
// independent and may run in parallel; stages run in order. Rules (research §3):
// - never the password, never a type the method-type table does not know, never a kept type, only snapshot ids when given;
// - never a type the service may not delete (hardware OATH tokens): it is reported as skipped, and stays (also as the
//   default, if it is);
// - the default method goes last (it cannot be deleted while other default-capable methods exist);
// - alternateMobile goes before mobile (mobile cannot be deleted while alternateMobile exists), and mobile is left
//   alone when alternateMobile stays;
// - when the default is to go but a default-capable method stays, the default is first moved to the one that stays
//   (what else answers to the new value, e.g. `oath` for a going software token, is deleted before the move);
// - when the default's value names a staying method and going ones alike, the default waits on another going method
//   while those go, then comes back;
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
  preferredMethodValues,
  serviceDeletes,
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
      readonly reason:
        'default_moves_to_kept_method' | 'default_moves_aside' | 'default_moves_back' | 'alternate_mobile_deadlock';
    }
  | { readonly kind: 'delete'; readonly stage: number; readonly method: PlannedMethod; readonly isDefault: boolean };

/**
 * Why a method in scope stays. `alternate_mobile_remains`: Graph refuses to delete mobile while alternateMobile stays.
 * `delegated_admin_required`: Graph lets no application delete the type for another user (hardware OATH tokens); an
 * administrator removes it with delegated rights, or the user keeps it.
 */
export type SkipReason = 'alternate_mobile_remains' | 'delegated_admin_required';

export interface Plan {
  /** Ordered by stage; within a stage by the method-type table's delete order. */
  readonly steps: readonly PlanStep[];
  /** The methods to delete, in step order. */
  readonly deletes: readonly PlannedMethod[];
  /** In scope but not deleted: Graph would refuse it while something else stays, or lets no application delete it. */
  readonly skipped: readonly { readonly method: PlannedMethod; readonly reason: SkipReason }[];
  readonly unknownTypes: readonly string[];
  readonly stageCount: number;
}

const stageAside = 0;
const stageBeforePreference = 1;
const stagePreference = 2;
const stageMain = 3;
const stageMobile = 4;
const stageDefault = 5;

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

  // Types Graph lets no application delete stay, whatever the scope says.
  const skipped: { method: PlannedMethod; reason: SkipReason }[] = planned
    .filter((m) => !serviceDeletes(m.type))
    .map((method) => ({ method, reason: 'delegated_admin_required' as const }));
  planned = planned.filter((m) => serviceDeletes(m.type));

  // Mobile cannot go while alternateMobile stays.
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
  let early = new Set<string>();
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
        // Normally nothing planned answers to the new value. If something does (`oath` with a hardware token staying
        // and a software token going), it goes before the change, while it is not the default: after the change
        // Graph could take it for the default and refuse to delete it while the staying token is there.
        early = new Set(intersect(defaultCandidates(known, value), planned).map((m) => refKey(m.type, m.id)));
        defaults = new Set();
      }
    } else if (defaultStays) {
      // The preference names a staying method and going ones alike (`oath` with a hardware token staying and a
      // software token going): Graph may take a going one for the default and refuse to delete it. The default moves
      // aside to another going method while those go, then back.
      const aside = asideValue(known, planned, plannedDefaults, staying);
      const back = preferredMethodValues.find((v) => v === preferred);
      if (aside && back) {
        steps.push({ kind: 'setPreferredMethod', stage: stageAside, value: aside, reason: 'default_moves_aside' });
        steps.push({ kind: 'setPreferredMethod', stage: stagePreference, value: back, reason: 'default_moves_back' });
        early = new Set(plannedDefaults.map((m) => refKey(m.type, m.id)));
        defaults = new Set();
      }
    } else {
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
    const key = refKey(m.type, m.id);
    const isDefault = defaults.has(key);
    const stage = early.has(key)
      ? stageBeforePreference
      : isDefault
        ? stageDefault
        : alternatePlanned && isPhone(m, 'mobile')
          ? stageMobile
          : stageMain;
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

/** A value that names only going methods, none of those it must make deletable: where the default waits meanwhile. */
function asideValue(
  known: readonly PlannedMethod[],
  planned: readonly PlannedMethod[],
  plannedDefaults: readonly PlannedMethod[],
  staying: readonly PlannedMethod[],
): PreferredMethodValue | undefined {
  return takeoverOrder
    .map((c) => c.value)
    .find((v) => {
      const named = defaultCandidates(known, v);
      return (
        named.length > 0 &&
        intersect(named, planned).length === named.length &&
        intersect(named, plannedDefaults).length === 0 &&
        intersect(named, staying).length === 0
      );
    });
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
