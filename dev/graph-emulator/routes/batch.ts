/** JSON $batch: up to 20 requests, dependsOn ordering, 424 Failed Dependency when a dependency failed (research §7.2). */
import { graphError, invalidJson, methodNotAllowed } from '../errors.js';
import type { GraphRequest, GraphResponse } from '../graph-types.js';
import { GRAPH_CONTENT_TYPE } from '../errors.js';

export const MAX_BATCH = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

function parseItems(body: unknown): { items?: BatchItem[]; problem?: string } {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return { problem: 'Invalid batch payload format: a non-empty requests array is required.' };
  if (requests.length > MAX_BATCH) return { problem: `Limit of ${MAX_BATCH} requests per batch exceeded.` };
  const ids = new Set<string>();
  for (const [i, r] of requests.entries()) {
    const item = r as Partial<BatchItem> | null;
    if (typeof item !== 'object' || item === null) return { problem: `requests[${i}] must be an object.` };
    if (typeof item.id !== 'string' || !item.id) return { problem: `requests[${i}].id must be a non-empty string.` };
    if (ids.has(item.id)) return { problem: `Request id '${item.id}' is duplicated in the batch.` };
    ids.add(item.id);
    if (typeof item.method !== 'string' || !/^(GET|POST|PATCH|PUT|DELETE)$/i.test(item.method)) {
      return { problem: `requests[${i}].method must be GET, POST, PATCH, PUT or DELETE.` };
    }
    if (typeof item.url !== 'string' || !item.url || /^(https?:|\/\/)/i.test(item.url)) {
      return { problem: `requests[${i}].url must be a URL relative to the version, e.g. /users/{id}.` };
    }
    if (
      item.headers !== undefined &&
      (typeof item.headers !== 'object' || item.headers === null || Array.isArray(item.headers))
    ) {
      return { problem: `requests[${i}].headers must be an object.` };
    }
    if (
      item.dependsOn !== undefined &&
      (!Array.isArray(item.dependsOn) || item.dependsOn.some((d) => typeof d !== 'string'))
    ) {
      return { problem: `requests[${i}].dependsOn must be an array of request ids.` };
    }
  }
  for (const r of requests as BatchItem[]) {
    for (const d of r.dependsOn ?? [])
      if (!ids.has(d)) return { problem: `Request '${r.id}' depends on unknown request '${d}'.` };
  }
  return { items: requests as BatchItem[] };
}

/**
 * `run` executes one inner request (auth, faults, throttling, routing, logging). Requests run in dependency order;
 * the responses keep the order of the requests.
 */
export function batch(
  outer: GraphRequest,
  makeInner: (item: { method: string; url: string; headers: Record<string, string>; body: unknown }) => GraphRequest,
  run: (req: GraphRequest) => GraphResponse,
): GraphResponse {
  if (outer.method !== 'POST') return methodNotAllowed(outer, outer.method);
  if (outer.bodyInvalid) return invalidJson(outer);
  const parsed = parseItems(outer.body);
  if (!parsed.items) return graphError(outer, 400, 'BadRequest', parsed.problem as string);
  const items = parsed.items;
  const byId = new Map(items.map((i) => [i.id, i]));
  const results = new Map<string, { id: string; status: number; headers: Record<string, string>; body?: unknown }>();
  const visiting = new Set<string>();

  const exec = (item: BatchItem): boolean => {
    if (results.has(item.id)) return true;
    if (visiting.has(item.id)) return false;
    visiting.add(item.id);
    for (const d of item.dependsOn ?? []) if (!exec(byId.get(d) as BatchItem)) return false;
    const failed = (item.dependsOn ?? []).filter((d) => (results.get(d)?.status ?? 500) >= 400);
    if (failed.length) {
      results.set(item.id, {
        id: item.id,
        status: 424,
        headers: { 'content-type': 'application/json' },
        body: graphError(
          outer,
          424,
          'FailedDependency',
          `The request depends on request(s) ${failed.join(', ')} that failed.`,
        ).body,
      });
      return true;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(item.headers ?? {})) headers[k.toLowerCase()] = String(v);
    const res = run(makeInner({ method: item.method.toUpperCase(), url: item.url, headers, body: item.body }));
    const outHeaders: Record<string, string> = { ...(res.headers ?? {}) };
    if (res.body !== undefined) outHeaders['content-type'] = GRAPH_CONTENT_TYPE;
    results.set(item.id, {
      id: item.id,
      status: res.status,
      headers: outHeaders,
      ...(res.body !== undefined ? { body: res.body } : {}),
    });
    return true;
  };

  for (const item of items) {
    if (!exec(item)) return graphError(outer, 400, 'BadRequest', 'The dependsOn references of the batch form a cycle.');
  }
  return { status: 200, body: { responses: items.map((i) => results.get(i.id)) } };
}
