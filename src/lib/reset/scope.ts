// Which method types a reset's options put in scope (DESIGN §3 options.methods and options.keep).
import { allDeletableTypes, catalogueEntry, portalScope } from '../graph/method-catalogue.js';
import type { MethodScope, MethodTypeName } from './contract.js';

/** Deletable types selected by the scope, minus the keep list. The password is never in it. */
export function typesInScope(scope: MethodScope, keep: readonly MethodTypeName[]): ReadonlySet<MethodTypeName> {
  const selected = scope === 'all' ? allDeletableTypes : scope === 'portal' ? portalScope : scope;
  const kept = new Set<string>(keep);
  return new Set(selected.filter((t) => catalogueEntry(t)?.deletable === true && !kept.has(t)));
}
