// Which method types a reset's options put in scope (DESIGN §3 options.methods and options.keep).
import type { MethodScope, MethodTypeName } from '../domain/index.js';
import { deletableMethodTypeNames, isDeletable, isMethodTypeName, portalScope } from '../domain/index.js';

/** Deletable types selected by the scope, minus the keep list. The password is never in it. */
export function typesInScope(scope: MethodScope, keep: readonly MethodTypeName[]): ReadonlySet<MethodTypeName> {
  const selected = scope === 'all' ? deletableMethodTypeNames : scope === 'portal' ? portalScope : scope;
  const kept = new Set<string>(keep);
  return new Set(selected.filter((t) => isMethodTypeName(t) && isDeletable(t) && !kept.has(t)));
}
