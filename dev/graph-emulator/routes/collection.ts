/**
 * Shared plumbing of the Graph list endpoints: which query options an endpoint documents, server-driven paging with
 * `@odata.nextLink` (the link repeats every query option, so a client follows it as is), `$top` where documented,
 * `$select`, and the advanced-query rules (`ConsistencyLevel: eventual` + `$count=true`, aad-advanced-queries.md).
 */
import { directoryBadRequest, graphError } from '../errors.js';
import type { GraphContext, GraphResponse } from '../graph-types.js';

export interface ListSpec {
  /** Query options the doc page lists for this endpoint ($skiptoken is always accepted: it is ours). */
  options: readonly string[];
  defaultPageSize: number;
  /** Largest `$top` when `$top` is documented. */
  maxTop?: number;
}

const NOT_EMULATED = new Set(['$search', '$orderby']);

/** 400 for a query option the endpoint does not document; 501 for documented ones the emulator does not implement. */
export function checkOptions(ctx: GraphContext, spec: ListSpec): GraphResponse | undefined {
  for (const key of ctx.req.query.keys()) {
    if (!key.startsWith('$') || key === '$skiptoken') continue;
    if (!spec.options.includes(key)) {
      return graphError(ctx.req, 400, 'BadRequest', `Query option '${key}' is not allowed on this resource.`);
    }
    if (NOT_EMULATED.has(key)) {
      return graphError(ctx.req, 501, 'NotImplemented', `The Graph emulator does not implement '${key}' here.`);
    }
  }
  return undefined;
}

/** The request carries the advanced query parameters: `ConsistencyLevel: eventual` and `$count=true`. */
export function isAdvanced(ctx: GraphContext): boolean {
  return (
    (ctx.req.headers.consistencylevel ?? '').trim().toLowerCase() === 'eventual' &&
    ctx.req.query.get('$count')?.toLowerCase() === 'true'
  );
}

/** Documented error for a query that needs the advanced query parameters (aad-advanced-queries.md). */
export const advancedQueryRequired = (ctx: GraphContext, what: string): GraphResponse =>
  graphError(
    ctx.req,
    400,
    'Request_UnsupportedQuery',
    `${what} is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );

/** `$select` as a list of property names; undefined when absent. */
export function selected(ctx: GraphContext): string[] | undefined {
  const raw = ctx.req.query.get('$select');
  if (raw == null) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Keeps `@odata.type` and the selected properties (all of `item` without `$select`). */
export function project(item: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields) return item;
  const out: Record<string, unknown> = {};
  if ('@odata.type' in item) out['@odata.type'] = item['@odata.type'];
  for (const f of fields) out[f] = item[f] ?? null;
  return out;
}

export type Page = { body: Record<string, unknown>; error?: undefined } | { body?: undefined; error: GraphResponse };

/** One page of `items` with `@odata.context`, `@odata.count` (advanced queries only) and `@odata.nextLink`. */
export function pageOf(ctx: GraphContext, items: readonly unknown[], spec: ListSpec, context: string): Page {
  const q = ctx.req.query;
  const topRaw = q.get('$top');
  let top: number | undefined;
  if (topRaw != null) {
    top = Number(topRaw);
    const max = spec.maxTop ?? 999;
    if (!Number.isInteger(top) || top < 1 || top > max) {
      return {
        error: directoryBadRequest(
          ctx.req,
          `Invalid page size specified: '${topRaw}'. Must be between 1 and ${max} inclusive.`,
        ),
      };
    }
  }
  const skipRaw = q.get('$skiptoken');
  const skip = skipRaw == null ? 0 : Number(skipRaw);
  if (!Number.isInteger(skip) || skip < 0 || skip > items.length) {
    return {
      error: graphError(
        ctx.req,
        400,
        'Directory_ExpiredPageToken',
        'The specified page token value has expired and can no longer be included in your request.',
      ),
    };
  }
  const size = Math.min(top ?? spec.defaultPageSize, ctx.knobs.pageSize ?? Number.POSITIVE_INFINITY);
  const body: Record<string, unknown> = { '@odata.context': `${ctx.baseUrl}/${ctx.req.version}/$metadata#${context}` };
  if (isAdvanced(ctx)) body['@odata.count'] = items.length;
  if (skip + size < items.length) {
    const kept = [...q.entries()]
      .filter(([k]) => k !== '$skiptoken')
      .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/gi, ',')}`);
    kept.push(`$skiptoken=${skip + size}`);
    body['@odata.nextLink'] = `${ctx.baseUrl}/${ctx.req.version}/${ctx.req.rawSegments.join('/')}?${kept.join('&')}`;
  }
  body.value = items.slice(skip, skip + size);
  return { body };
}
