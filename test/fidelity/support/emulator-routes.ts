/**
 * Discovers the Graph routes the emulator serves by asking its router, so a route added to dev/graph-emulator is
 * covered without editing a list here. The router dispatches in code (no route table), so this probes it: every
 * path segment its sources spell (string literals of graph-router.ts, routes/*.ts, state/method-types.ts) and every
 * segment of the extract's templates, under every prefix that answers, with each HTTP method, in both versions.
 * Keys are real ids (a demo user; ids the emulator's own list responses return); a random GUID and word tell a
 * key position (a segment answered whatever it is) from a literal one.
 * Requests go to the router in-process with every Graph permission, so "served" means the path reached a handler,
 * not that a token could call it; $batch, handled by the server before the router, is not probed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { EmulatorCore } from '../../../dev/graph-emulator/emulator-core.js';
import { demoTenant, DEMO_USERS } from '../../../dev/graph-emulator/fixtures/demo-tenant.js';
import { routeGraph } from '../../../dev/graph-emulator/graph-router.js';
import type { GraphResponse, GraphVersion } from '../../../dev/graph-emulator/graph-types.js';
import { GRAPH_PERMISSIONS } from '../../../dev/graph-emulator/state/permissions.js';

const EMULATOR = new URL('../../../dev/graph-emulator/', import.meta.url);
const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const; // DELETE last: it changes the state probed next
const MAX_DEPTH = 7;
const RANDOM_WORD = 'zzNoSuchSegment';
const RANDOM_GUID = '0b5e5f2e-6a41-4c9e-9d55-1f0c7b3a9e21';
const SEGMENT_LIKE = /^[A-Za-z$][\w.$-]{0,79}$/;

export interface ServedRoute {
  readonly version: GraphVersion;
  readonly method: string;
  /** The path with every key as `{id}`, e.g. `/users/{id}/authentication/phoneMethods/{id}`. */
  readonly shape: string;
  /** One concrete path that was answered. */
  readonly example: string;
  readonly status: number;
  /** The error message, when the answer was an error. */
  readonly message?: string;
}

/** String literals that could be path segments, from the emulator's router and Graph route handlers. */
export function emulatorSegmentLiterals(): Set<string> {
  const files = [
    new URL('graph-router.ts', EMULATOR),
    new URL('state/method-types.ts', EMULATOR),
    ...readdirSync(new URL('routes/', EMULATOR))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => new URL(`routes/${f}`, EMULATOR)),
  ];
  const out = new Set<string>();
  for (const file of files) {
    const source = ts.createSourceFile(file.pathname, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node): void => {
      const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
      // GUIDs in the sources are ids (fixed method ids), not segments.
      if (literal && SEGMENT_LIKE.test(node.text) && !/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(node.text)) {
        out.add(node.text);
      }
      node.forEachChild(visit);
    };
    visit(source);
  }
  return out;
}

/**
 * A handler answered the path. Graph's (and the emulator's) refusals of a path are 400 "Resource not found for the
 * segment", 400 "not supported on this resource" / "No HTTP resource was found" (documented refusals the emulator
 * mirrors), 405 for a method and 501 for what the emulator leaves out.
 */
export function isServed(r: GraphResponse): boolean {
  if (r.status === 405 || r.status === 501) return false;
  if (r.status !== 400) return true;
  const message = (r.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';
  return !/Resource not found for the segment|not supported on this resource|No HTTP resource was found/i.test(message);
}

const namesSegment = (r: GraphResponse, segment: string): boolean =>
  r.status === 400 &&
  ((r.body as { error?: { message?: string } } | undefined)?.error?.message ?? '').includes(`segment '${segment}'`);

const sameAnswer = (a: GraphResponse, b: GraphResponse): boolean =>
  a.status === b.status &&
  (a.body as { error?: { code?: string } } | undefined)?.error?.code ===
    (b.body as { error?: { code?: string } } | undefined)?.error?.code;

function idsIn(body: unknown): string[] {
  const b = body as { id?: unknown; value?: unknown } | undefined;
  const out: string[] = [];
  if (typeof b?.id === 'string') out.push(b.id);
  if (Array.isArray(b?.value)) {
    for (const v of b.value.slice(0, 3) as { id?: unknown }[]) if (typeof v?.id === 'string') out.push(v.id);
  }
  return out;
}

/**
 * Probes the router. `known` are the extract's templates (segments in them are tried everywhere, and their prefixes
 * are explored even when the emulator answers them with an error, e.g. `/roleManagement/directory`).
 */
export function discoverServedRoutes(known: readonly string[]): ServedRoute[] {
  const core = new EmulatorCore(demoTenant(), 'https://localhost:1', '/nonexistent-ca.pem');
  const user = core.state.findUser(DEMO_USERS.everything);
  if (!user) throw new Error('the demo tenant has no everything user');
  const seeds = [user.id, DEMO_USERS.everything];
  const vocabulary = new Set(emulatorSegmentLiterals());
  const prefixes = new Set<string>();
  for (const template of known) {
    const parts = template.split('/').slice(1);
    for (const p of parts) if (p !== '{id}') vocabulary.add(p);
    for (let i = 1; i <= parts.length; i++) prefixes.add(parts.slice(0, i).join('/').toLowerCase());
  }
  const caller = { appId: 'fidelity-probe', objectId: RANDOM_GUID, roles: new Set(Object.keys(GRAPH_PERMISSIONS)) };
  let n = 0;
  const route = (version: GraphVersion, method: string, segments: string[]): GraphResponse => {
    n += 1;
    const rawSegments = segments.map(encodeURIComponent);
    return routeGraph({
      req: {
        method,
        version,
        segments,
        rawSegments,
        query: new URLSearchParams(),
        headers: { consistencylevel: 'eventual' },
        body: undefined,
        bodyInvalid: false,
        requestId: `probe-${n}`,
        clientRequestId: `probe-${n}`,
        inBatch: false,
      },
      caller,
      state: core.state,
      knobs: core.knobs,
      baseUrl: 'https://localhost:1',
    });
  };

  const served = new Map<string, ServedRoute>();
  const probe = (version: GraphVersion, segments: string[]): GraphResponse[] =>
    METHODS.map((method) => route(version, method, segments));
  const explore = (version: GraphVersion, segments: string[], shape: string[], ids: readonly string[]): void => {
    if (segments.length >= MAX_DEPTH) return;
    const word = probe(version, [...segments, RANDOM_WORD]);
    const guid = probe(version, [...segments, RANDOM_GUID]);
    const keyPosition = word.some(isServed) || guid.some(isServed);
    // At a key position a literal answered like any key is just a key: the real ids stand for it.
    const likeAKey = (answers: GraphResponse[]): boolean =>
      answers.every((r, i) => sameAnswer(r, word[i]) || sameAnswer(r, guid[i]));
    const candidates = [...vocabulary].map((segment) => ({ segment, key: false }));
    // Real ids only (so a handler that looks an object up before checking the rest is not taken for serving it);
    // a random GUID where no list gave any.
    if (keyPosition) for (const id of ids.length > 0 ? ids : [RANDOM_GUID]) candidates.push({ segment: id, key: true });
    for (const { segment, key } of candidates) {
      const path = [...segments, segment];
      const answers = probe(version, path);
      if (!key && keyPosition && likeAKey(answers)) continue;
      const pathShape = [...shape, key ? '{id}' : segment];
      let answered = false;
      answers.forEach((r, i) => {
        if (!isServed(r)) return;
        answered = true;
        const id = `${METHODS[i]} /${version}/${pathShape.join('/')}`;
        if (!served.has(id)) {
          served.set(id, {
            version,
            method: METHODS[i],
            shape: `/${pathShape.join('/')}`,
            example: `/${version}/${path.map(encodeURIComponent).join('/')}`,
            status: r.status,
            message: (r.body as { error?: { message?: string } } | undefined)?.error?.message,
          });
        }
      });
      const get = answers[0];
      const known = prefixes.has(pathShape.join('/').toLowerCase());
      if (answered || known || (get.status !== 400 && !namesSegment(get, segment))) {
        const childIds = path.length === 1 && segment === 'users' ? seeds : get.status < 300 ? idsIn(get.body) : [];
        explore(version, path, pathShape, childIds);
      }
    }
  };
  for (const version of ['v1.0', 'beta'] as const) explore(version, [], [], []);
  return [...served.values()].sort((a, b) =>
    `${a.version} ${a.shape} ${a.method}`.localeCompare(`${b.version} ${b.shape} ${b.method}`),
  );
}
