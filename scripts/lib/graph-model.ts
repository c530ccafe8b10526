// One API version's shape as msgraph-metadata publishes it, and a walk of a path template through it.
// Which members a type declares comes from the type mappings (schemas/type-mappings/<version>-entity-types.json,
// generated from the production CSDL); base types, member types, entity sets, singletons and bound operations come
// from CSDL files, in the order given (the version's own clean metadata first; see scripts/graph-facts.ts).
import type { Csdl, NavigationProperty } from './csdl.js';

export interface DeclaredMembers {
  readonly navigation: ReadonlySet<string>;
  readonly properties: ReadonlySet<string>;
}

/** `{ "microsoft.graph": { "user": { navigationProperties: [...], properties: [...] } } }` → qualified name → members. */
export function parseTypeMappings(json: string): Map<string, DeclaredMembers> {
  const root = JSON.parse(json) as Record<
    string,
    Record<string, { navigationProperties?: string[]; properties?: string[] }>
  >;
  const out = new Map<string, DeclaredMembers>();
  for (const [namespace, types] of Object.entries(root)) {
    for (const [name, members] of Object.entries(types)) {
      out.set(`${namespace}.${name}`, {
        navigation: new Set(members.navigationProperties ?? []),
        properties: new Set(members.properties ?? []),
      });
    }
  }
  return out;
}

/** `navigation`: a relationship whose cardinality the metadata read does not give (only GET is assumed). */
export type PathKind = 'collection' | 'entity' | 'navigation' | 'property' | 'action' | 'function' | 'count' | 'ref';

export type WalkResult = { ok: true; kind: PathKind; type?: string } | { ok: false; reason: string };

export interface VersionModelInput {
  readonly version: string;
  readonly members: ReadonlyMap<string, DeclaredMembers>;
  /** CSDL documents in priority order, with the file each came from. */
  readonly csdl: readonly { readonly file: string; readonly doc: Csdl }[];
  /** Evidence of a relationship's cardinality when the metadata read has no type for it (permission reference). */
  readonly listsKeyedChild: (template: string) => boolean;
  readonly listsSingleWrite: (template: string) => boolean;
}

const short = (type: string): string => type.replace(/^microsoft\.graph\./, '');

export class VersionModel {
  /** What the walk had to infer because the metadata files read lacked it (kept in the extract's notes). */
  readonly inferences = new Set<string>();

  constructor(private readonly input: VersionModelInput) {}

  private firstCsdl<T>(pick: (doc: Csdl) => T | undefined): T | undefined {
    for (const { doc } of this.input.csdl) {
      const found = pick(doc);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The type and its base types, most derived first; `complete` is false when a base type could not be resolved. */
  chain(type: string): { types: string[]; complete: boolean } {
    const types: string[] = [];
    let current: string | undefined = type;
    while (current !== undefined && !types.includes(current)) {
      types.push(current);
      const declared = this.firstCsdl((doc) => doc.types.get(current as string));
      if (!declared) return { types, complete: false };
      current = declared.baseType;
    }
    return { types, complete: true };
  }

  derivesFrom(type: string, base: string): boolean {
    return this.chain(type).types.includes(base);
  }

  knowsType(type: string): boolean {
    return this.input.members.has(type);
  }

  /** The member as declared on the type or a base type (type mappings), with the declaring type. */
  member(type: string, name: string): { on: string; kind: 'navigation' | 'property' } | undefined {
    for (const t of this.chain(type).types) {
      const m = this.input.members.get(t);
      if (m?.navigation.has(name)) return { on: t, kind: 'navigation' };
      if (m?.properties.has(name)) return { on: t, kind: 'property' };
    }
    return undefined;
  }

  /** Structural property names of the type and its bases (type mappings), sorted. */
  properties(type: string): { names: string[]; complete: boolean } {
    const { types, complete } = this.chain(type);
    const names = new Set<string>();
    for (const t of types) for (const p of this.input.members.get(t)?.properties ?? []) names.add(p);
    return { names: [...names].sort(), complete };
  }

  private navigation(on: string, name: string): NavigationProperty | undefined {
    return this.firstCsdl((doc) => doc.types.get(on)?.navigation.get(name));
  }

  private operation(name: string, type: string, collection: boolean): 'action' | 'function' | undefined {
    const bases = this.chain(type).types;
    return this.firstCsdl(
      (doc) =>
        doc.operations.find(
          (op) => op.name === name && op.bindingCollection === collection && bases.includes(op.bindingType),
        )?.kind,
    );
  }

  /**
   * Walks a template such as `/users/{id}/transitiveMemberOf/microsoft.graph.group`: `{id}` is a key, a dotted
   * segment a type cast, `$count`/`$ref` the OData system segments, anything else an entity set or singleton (first),
   * a navigation or structural property, or a bound action/function.
   */
  walk(template: string): WalkResult {
    const segments = template.split('/').slice(1);
    const v = this.input.version;
    const [root, ...rest] = segments;
    const set = this.firstCsdl((doc) => doc.entitySets.get(root));
    const singleton = set ? undefined : this.firstCsdl((doc) => doc.singletons.get(root));
    if (!set && !singleton) return { ok: false, reason: `${v} has no entity set or singleton '${root}'` };
    let kind: PathKind = set ? 'collection' : 'entity';
    let type: string | undefined = set ?? singleton;
    let containment = true; // $ref needs a relationship, which entity sets and contained navigations are not
    let path = `/${root}`;
    for (const segment of rest) {
      const terminal =
        kind === 'property' || kind === 'action' || kind === 'function' || kind === 'count' || kind === 'ref';
      if (terminal) return { ok: false, reason: `nothing can follow the ${kind} at ${path} (segment '${segment}')` };
      if (segment === '{id}') {
        if (kind !== 'collection') return { ok: false, reason: `${path} is not a collection, so it takes no key` };
        kind = 'entity';
      } else if (segment === '$count') {
        if (kind !== 'collection') return { ok: false, reason: `$count needs a collection, ${path} is not one` };
        kind = 'count';
      } else if (segment === '$ref') {
        if (containment) return { ok: false, reason: `$ref needs a non-contained relationship; ${path} is contained` };
        kind = 'ref';
      } else if (segment.includes('.') && !segment.startsWith('$')) {
        if (!type)
          return { ok: false, reason: `the type at ${path} is unknown, so the cast '${segment}' cannot be checked` };
        if (!this.knowsType(segment)) return { ok: false, reason: `${v} has no type '${segment}'` };
        if (!this.derivesFrom(segment, type)) {
          return { ok: false, reason: `${short(segment)} does not derive from ${short(type)} (${path})` };
        }
        type = segment;
      } else {
        if (!type) return { ok: false, reason: `the type at ${path} is unknown, so '${segment}' cannot be checked` };
        const op = this.operation(segment, type, kind === 'collection');
        const member = kind === 'entity' ? this.member(type, segment) : undefined;
        if (member?.kind === 'property') {
          kind = 'property';
          type = this.firstCsdl((doc) => doc.types.get(member.on)?.properties.get(segment));
        } else if (member?.kind === 'navigation') {
          const nav = this.navigation(member.on, segment);
          if (nav) {
            kind = nav.collection ? 'collection' : 'entity';
            type = nav.type;
            containment = nav.containsTarget;
          } else {
            // Declared in the version's type mappings, but no CSDL read here types it (a snapshot without the
            // version's full metadata): the permission reference tells a keyed collection (it addresses /{id} under
            // it) from a single entity (it lists PATCH, PUT or DELETE on it); otherwise the cardinality stays open.
            const at = `${path}/${segment}`;
            const inferred = this.input.listsKeyedChild(at)
              ? 'collection'
              : this.input.listsSingleWrite(at)
                ? 'entity'
                : 'navigation';
            const taken = { collection: 'a keyed collection', entity: 'a single entity', navigation: 'a relationship' };
            this.inferences.add(
              `${short(member.on)}.${segment}: declared in ${v}'s type mappings, untyped in the CSDL files read; ` +
                `taken as ${taken[inferred]} of unknown type from the permission reference`,
            );
            kind = inferred;
            type = undefined;
            containment = true;
          }
        } else if (op) {
          kind = op;
          type = undefined;
        } else {
          const where = kind === 'collection' ? `a collection of ${short(type)}` : short(type);
          return { ok: false, reason: `${where} has no member or bound operation '${segment}' in ${v} (${path})` };
        }
      }
      path += `/${segment}`;
    }
    return { ok: true, kind, type };
  }
}
