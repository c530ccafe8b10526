// Outgoing URLs as telemetry may show them: every path segment that is not a known word of the API becomes `{id}`,
// every query value `{value}` and every parameter name but OData's `$` options `{name}`, so no UPN, object id,
// method id, filter value or signature reaches a span. A word list rather than an "ids look like GUIDs" rule: a UPN or
// a callback URL's secret can look like anything, a known word cannot be anyone's identifier. An unknown static
// segment shows as `{id}` until it is added: harmless.

export interface TemplatedUrl {
  /** Scheme, host, port, templated path and query, e.g. `https://graph.microsoft.com/v1.0/users/{id}?$select={value}`. */
  readonly full: string;
  /** The templated path, e.g. `/v1.0/users/{id}/authentication/methods/{id}` (semconv `url.template`). */
  readonly path: string;
  /** The templated query with its `?`, or '' when there is none. */
  readonly query: string;
}

/** OData type casts and bound operations (`microsoft.graph.group`): a namespace and a name, never an identifier. */
const qualifiedName = /^microsoft\.graph\.[A-Za-z]+$/;
/** OData's system query options (`$select`, `$filter`) are kept by name; any other name could be chosen by anyone. */
const systemQueryOption = /^\$[A-Za-z]+$/;

export function templateUrl(url: URL, words: ReadonlySet<string>): TemplatedUrl {
  const path = url.pathname
    .split('/')
    .map((segment) => (segment === '' || isWord(segment, words) ? segment : '{id}'))
    .join('/');
  const names = [...url.searchParams.keys()];
  const query =
    names.length === 0 ? '' : `?${names.map((n) => `${systemQueryOption.test(n) ? n : '{name}'}={value}`).join('&')}`;
  return { full: `${url.origin}${path}${query}`, path, query };
}

function isWord(segment: string, words: ReadonlySet<string>): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded === segment && (words.has(segment.toLowerCase()) || qualifiedName.test(segment));
}

/** A word set for templateUrl, matched without regard to case (Graph's paths are case-insensitive). */
export const wordSet = (words: Iterable<string>): ReadonlySet<string> =>
  new Set([...words].map((w) => w.toLowerCase()));
