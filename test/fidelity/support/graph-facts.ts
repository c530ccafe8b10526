/**
 * Answers from test/fidelity/graph-facts.json (Microsoft's published Graph metadata and permission reference, see
 * scripts/graph-facts.ts): does a concrete request path exist in an API version, and which application permissions
 * allow it. Built to take a request log as it is: absolute or relative URLs, ids, UPN keys (encoded or not), casts,
 * query strings.
 */
import { readFileSync } from 'node:fs';
import type { GraphFactsFile } from '../../../scripts/graph-facts.js';
import type { PathKind } from '../../../scripts/lib/graph-model.js';
import { permissionTemplate } from '../../../scripts/lib/permission-reference.js';

export type GraphVersion = 'v1.0' | 'beta';
export const GRAPH_VERSIONS: readonly GraphVersion[] = ['v1.0', 'beta'];

export interface TemplateMatch {
  readonly version: GraphVersion;
  readonly template: string;
  readonly kind: PathKind;
  readonly type?: string;
}

export interface PermissionAnswer {
  readonly template: string;
  /** The method is listed for this path by the permission reference or by a documented correction. */
  readonly documented: boolean;
  /** Application permissions that allow the call (after corrections), sorted. */
  readonly application: readonly string[];
  /** What the permission reference alone lists for app-only access. */
  readonly reference: readonly string[];
  readonly least: readonly string[];
  /** Permission → permissions of which it also needs one. */
  readonly alsoRequires: Readonly<Record<string, readonly string[]>>;
  readonly correction?: { readonly doc: string; readonly reason: string };
}

export interface TrafficEntry {
  readonly method: string;
  /** As logged: `/v1.0/users/…?$select=…` or an absolute URL. */
  readonly url: string;
}

export interface TrafficReport {
  /** Distinct `METHOD /version/template` of the calls whose path exists. */
  readonly calls: readonly string[];
  readonly unknownPaths: readonly { readonly method: string; readonly url: string; readonly reason: string }[];
  readonly unpermitted: readonly { readonly call: string; readonly allowedBy: readonly string[] }[];
  /** Granted permissions without which every call would still be allowed. */
  readonly redundantGrants: readonly string[];
}

/**
 * Which HTTP methods OData allows on each kind of resource. Whether Graph implements one for a given path is the
 * permission reference's word (PermissionAnswer.documented), not the metadata's.
 */
const METHODS_BY_KIND: Readonly<Record<PathKind, readonly string[]>> = {
  collection: ['GET', 'POST'],
  entity: ['GET', 'PATCH', 'PUT', 'DELETE'],
  navigation: ['GET'],
  property: ['GET', 'PATCH', 'PUT'],
  action: ['POST'],
  function: ['GET'],
  count: ['GET'],
  ref: ['GET', 'POST', 'PUT', 'DELETE'],
};

export interface ParsedGraphPath {
  readonly version?: GraphVersion;
  /** Decoded segments after the version; `name(key)` is split into the name and the key. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

export function parseGraphPath(url: string): ParsedGraphPath {
  const u = new URL(url, 'https://graph.invalid');
  const raw = u.pathname.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));
  const segments: string[] = [];
  for (const r of raw) {
    let s: string;
    try {
      s = decodeURIComponent(r);
    } catch {
      s = r;
    }
    const keyed = /^([A-Za-z][\w.]*)\((.+)\)$/.exec(s);
    if (keyed) segments.push(keyed[1], keyed[2]);
    else segments.push(s);
  }
  const first = segments[0];
  if (first === 'v1.0' || first === 'beta')
    return { version: first, segments: segments.slice(1), query: u.searchParams };
  return { segments, query: u.searchParams };
}

interface Node {
  readonly literals: Map<string, Node>;
  key?: Node;
  template?: string;
}

const newNode = (): Node => ({ literals: new Map() });

export class GraphFacts {
  private readonly tries = new Map<GraphVersion, Node>();

  constructor(readonly file: GraphFactsFile) {
    for (const version of GRAPH_VERSIONS) {
      const root = newNode();
      for (const template of Object.keys(file.versions[version].paths)) {
        let node = root;
        for (const segment of template.split('/').slice(1)) {
          if (segment === '{id}') node = node.key ??= newNode();
          else {
            const lower = segment.toLowerCase();
            let next = node.literals.get(lower);
            if (!next) node.literals.set(lower, (next = newNode()));
            node = next;
          }
        }
        node.template = template;
      }
      this.tries.set(version, root);
    }
  }

  private versionOf(version: GraphVersion, parsed: ParsedGraphPath): GraphVersion {
    if (parsed.version !== undefined && parsed.version !== version) {
      throw new Error(`the path names ${parsed.version}, the question ${version}`);
    }
    return version;
  }

  /**
   * The template a concrete path is an instance of (a literal segment wins over a key), or undefined. A key after a
   * collection the extract lists without its `/{id}` (e.g. after a cast) is an entity of it, as in any OData service.
   */
  match(version: GraphVersion, path: string): TemplateMatch | undefined {
    const parsed = parseGraphPath(path);
    const v = this.versionOf(version, parsed);
    const isKey = (segment: string): boolean =>
      segment !== '' && !segment.startsWith('$') && !segment.startsWith('microsoft.graph.');
    const walk = (node: Node, i: number): string | undefined => {
      if (i === parsed.segments.length) return node.template;
      const segment = parsed.segments[i];
      const literal = node.literals.get(segment.toLowerCase());
      const viaLiteral = literal ? walk(literal, i + 1) : undefined;
      if (viaLiteral !== undefined) return viaLiteral;
      if (node.key && isKey(segment)) return walk(node.key, i + 1);
      return undefined;
    };
    const root = this.tries.get(v) as Node;
    const paths = this.file.versions[v].paths;
    const template = walk(root, 0);
    if (template !== undefined) {
      const { kind, type } = paths[template];
      return { version: v, template, kind, ...(type ? { type } : {}) };
    }
    const last = parsed.segments.at(-1);
    if (last === undefined || !isKey(last)) return undefined;
    const parent = this.match(v, `/${parsed.segments.slice(0, -1).map(encodeURIComponent).join('/')}`);
    if (parent?.kind !== 'collection') return undefined;
    return {
      version: v,
      template: `${parent.template}/{id}`,
      kind: 'entity',
      ...(parent.type ? { type: parent.type } : {}),
    };
  }

  /** Why a path does not exist in the version, when the extract knows the template (else a generic answer). */
  whyMissing(version: GraphVersion, path: string): string {
    const parsed = parseGraphPath(path);
    const other: GraphVersion = version === 'v1.0' ? 'beta' : 'v1.0';
    const there = this.match(other, `/${parsed.segments.map(encodeURIComponent).join('/')}`);
    if (there) return this.file.versions[version].missing[there.template] ?? `only in ${other}`;
    return `no template in the extract matches (${version})`;
  }

  /** The path exists in the version and OData allows the method on that kind of resource. */
  pathExists(version: GraphVersion, method: string, path: string): boolean {
    const m = this.match(version, path);
    return m !== undefined && METHODS_BY_KIND[m.kind].includes(method.toUpperCase());
  }

  permissions(version: GraphVersion, method: string, path: string): PermissionAnswer | undefined {
    const m = this.match(version, path);
    if (!m) return undefined;
    const upper = method.toUpperCase();
    const key = permissionTemplate(m.template);
    const entry = this.file.permissions[key]?.methods[upper];
    const correction = this.file.corrections.find((c) => c.template === key && c.method === upper);
    const reference = entry?.application ?? [];
    return {
      template: m.template,
      documented: entry !== undefined || correction !== undefined,
      application: correction ? [...correction.application].sort() : reference,
      reference,
      least: correction ? [] : (entry?.applicationLeast ?? []),
      alsoRequires: correction ? {} : (entry?.alsoRequires ?? {}),
      ...(correction ? { correction: { doc: correction.doc, reason: correction.reason } } : {}),
    };
  }

  /**
   * Properties a query names that its resource's type does not have (in that version): each `$select` item and the
   * left side of each `$filter` comparison. Empty when the path is unknown or has no query; a type the extract does
   * not describe is a problem too (widen scripts/lib/graph-facts-scope.ts and regenerate).
   */
  queryProblems(version: GraphVersion, url: string): string[] {
    const m = this.match(version, url);
    if (!m) return [];
    const { query } = parseGraphPath(url);
    const named = [
      ...(query.get('$select') ?? '').split(',').map((p) => p.trim()),
      ...[...(query.get('$filter') ?? '').matchAll(/([A-Za-z_][\w/]*)\s+(?:eq|ne|gt|ge|lt|le)\s/g)].map((x) => x[1]),
    ].filter((p) => p !== '');
    if (named.length === 0) return [];
    const members = m.type ? this.file.types[version][m.type] : undefined;
    if (!members) return [`${m.type ?? m.template}: type not in the extract (${named.join(', ')} unchecked)`];
    const known = new Set(members.map((p) => p.toLowerCase()));
    return named.filter((p) => !known.has(p.toLowerCase())).map((p) => `${m.type}: no property '${p}' in ${version}`);
  }

  /** Application permissions that allow the call; empty when none does or the path is unknown. */
  allowedBy(version: GraphVersion, method: string, path: string): readonly string[] {
    return this.permissions(version, method, path)?.application ?? [];
  }

  /** Whether the granted set holds a permission that allows the call (and one of what it also requires). */
  isAllowed(answer: PermissionAnswer, granted: ReadonlySet<string>): boolean {
    return answer.application.some(
      (p) =>
        granted.has(p) && (answer.alsoRequires[p] === undefined || answer.alsoRequires[p].some((r) => granted.has(r))),
    );
  }

  /** Runs a request log through the extract (paths must carry their version, as the emulator's log does). */
  checkTraffic(entries: readonly TrafficEntry[], granted: readonly string[]): TrafficReport {
    const unknownPaths: { method: string; url: string; reason: string }[] = [];
    const answers = new Map<string, PermissionAnswer>();
    for (const { method, url } of entries) {
      const upper = method.toUpperCase();
      const version = parseGraphPath(url).version;
      if (!version) {
        unknownPaths.push({ method: upper, url, reason: 'no API version in the path' });
        continue;
      }
      if (!this.pathExists(version, upper, url)) {
        const m = this.match(version, url);
        const reason = m ? `${upper} is not allowed on a ${m.kind}` : this.whyMissing(version, url);
        unknownPaths.push({ method: upper, url, reason });
        continue;
      }
      const answer = this.permissions(version, upper, url) as PermissionAnswer;
      answers.set(`${upper} /${version}${answer.template}`, answer);
    }
    const all = new Set(granted);
    const unpermitted = [...answers]
      .filter(([, a]) => !this.isAllowed(a, all))
      .map(([call, a]) => ({ call, allowedBy: a.application }));
    const stillAllowed = (without: string): boolean => {
      const fewer = new Set(granted.filter((g) => g !== without));
      return [...answers.values()].every((a) => !this.isAllowed(a, all) || this.isAllowed(a, fewer));
    };
    return {
      calls: [...answers.keys()].sort(),
      unknownPaths,
      unpermitted: unpermitted.sort((a, b) => a.call.localeCompare(b.call)),
      redundantGrants: granted.filter(stillAllowed).sort(),
    };
  }
}

let cached: GraphFacts | undefined;

/** The committed extract, test/fidelity/graph-facts.json. */
export function loadGraphFacts(): GraphFacts {
  cached ??= new GraphFacts(
    JSON.parse(readFileSync(new URL('../graph-facts.json', import.meta.url), 'utf8')) as GraphFactsFile,
  );
  return cached;
}
