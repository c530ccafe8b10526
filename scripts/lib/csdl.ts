// A reader for the parts of an OData CSDL document (Microsoft Graph's $metadata) that decide whether a URL path
// exists: entity and complex types with their base types and members, the entity container (entity sets and
// singletons) and bound actions/functions. Names are namespace-qualified (`microsoft.graph.user`), aliases resolved.

export interface NavigationProperty {
  readonly type: string;
  readonly collection: boolean;
  readonly containsTarget: boolean;
}

export interface StructuredType {
  readonly name: string;
  readonly baseType?: string;
  readonly navigation: ReadonlyMap<string, NavigationProperty>;
  /** Structural property name → type (e.g. `microsoft.graph.signInPreferences`, `Edm.String`). */
  readonly properties: ReadonlyMap<string, string>;
}

export interface BoundOperation {
  readonly kind: 'action' | 'function';
  readonly name: string;
  readonly bindingType: string;
  readonly bindingCollection: boolean;
}

export interface Csdl {
  readonly types: ReadonlyMap<string, StructuredType>;
  /** Entity set name → entity type. */
  readonly entitySets: ReadonlyMap<string, string>;
  /** Singleton name → entity type. */
  readonly singletons: ReadonlyMap<string, string>;
  readonly operations: readonly BoundOperation[];
}

const TAG = /<(\/?)([A-Za-z][\w.:]*)((?:[^>"]|"[^"]*")*?)(\/?)>/g;
const ATTR = /([\w:.]+)="([^"]*)"/g;

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(ATTR)) out[m[1]] = m[2];
  return out;
}

interface MutableType {
  name: string;
  baseType?: string;
  navigation: Map<string, NavigationProperty>;
  properties: Map<string, string>;
}

export function parseCsdl(xml: string): Csdl {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  const aliases = new Map<string, string>();
  // Aliases first: a type may be referenced before the schema declaring the alias.
  for (const m of text.matchAll(/<Schema\b([^>]*)>/g)) {
    const a = attributes(m[1]);
    if (a.Namespace && a.Alias) aliases.set(a.Alias, a.Namespace);
  }
  const qualify = (name: string): string => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const ns = name.slice(0, dot);
    return `${aliases.get(ns) ?? ns}${name.slice(dot)}`;
  };
  const typeRef = (raw: string): { type: string; collection: boolean } => {
    const m = /^Collection\((.+)\)$/.exec(raw);
    return m ? { type: qualify(m[1]), collection: true } : { type: qualify(raw), collection: false };
  };

  const types = new Map<string, MutableType>();
  const entitySets = new Map<string, string>();
  const singletons = new Map<string, string>();
  const operations: BoundOperation[] = [];
  let namespace = '';
  let current: MutableType | undefined;
  let operation: { kind: 'action' | 'function'; name: string; bound: boolean; seenBinding: boolean } | undefined;
  let inContainer = false;

  for (const m of text.matchAll(TAG)) {
    const [, closing, tag, rest, selfClosing] = m;
    if (closing) {
      if (tag === 'EntityType' || tag === 'ComplexType') current = undefined;
      else if (tag === 'Action' || tag === 'Function') operation = undefined;
      else if (tag === 'EntityContainer') inContainer = false;
      continue;
    }
    const a = attributes(rest);
    switch (tag) {
      case 'Schema':
        namespace = a.Namespace ?? '';
        break;
      case 'EntityType':
      case 'ComplexType': {
        const t: MutableType = {
          name: `${namespace}.${a.Name}`,
          baseType: a.BaseType ? qualify(a.BaseType) : undefined,
          navigation: new Map(),
          properties: new Map(),
        };
        types.set(t.name, t);
        current = selfClosing ? undefined : t;
        break;
      }
      case 'NavigationProperty':
        if (current && a.Name && a.Type) {
          current.navigation.set(a.Name, { ...typeRef(a.Type), containsTarget: a.ContainsTarget === 'true' });
        }
        break;
      case 'Property':
        if (current && a.Name && a.Type) {
          const ref = typeRef(a.Type);
          current.properties.set(a.Name, ref.collection ? `Collection(${ref.type})` : ref.type);
        }
        break;
      case 'Action':
      case 'Function':
        operation = selfClosing
          ? undefined
          : {
              kind: tag === 'Action' ? 'action' : 'function',
              name: a.Name,
              bound: a.IsBound === 'true',
              seenBinding: false,
            };
        break;
      case 'Parameter':
        // The first parameter of a bound operation is its binding parameter.
        if (operation?.bound && !operation.seenBinding && a.Type) {
          operation.seenBinding = true;
          const ref = typeRef(a.Type);
          operations.push({
            kind: operation.kind,
            name: operation.name,
            bindingType: ref.type,
            bindingCollection: ref.collection,
          });
        }
        break;
      case 'EntityContainer':
        inContainer = !selfClosing;
        break;
      case 'EntitySet':
        if (inContainer && a.Name && a.EntityType) entitySets.set(a.Name, qualify(a.EntityType));
        break;
      case 'Singleton':
        if (inContainer && a.Name && a.Type) singletons.set(a.Name, qualify(a.Type));
        break;
      default:
        break;
    }
  }
  return { types, entitySets, singletons, operations };
}
