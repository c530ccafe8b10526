// Reading a Graph collection whole, or not at all. A page without `value`, an item that is not an object, a nextLink
// to another host or API version, or more pages than the cap is a GraphCallError of kind `unreadable`: the engine and
// the guard never decide on a list cut short. Graph docs: "Paging Microsoft Graph data in your app" (follow
// @odata.nextLink as given until it is absent).
import type { GraphVersion } from './method-catalogue.js';
import { GraphCallError } from '../domain/index.js';
import { asRecord } from './graph-answers.js';

export function unreadable(operation: string, what: string): GraphCallError {
  return new GraphCallError(
    'unreadable',
    operation,
    `Microsoft Graph's answer to ${operation} could not be read whole (${what})`,
  );
}

export interface PagedRead {
  readonly version: GraphVersion;
  readonly firstPath: string;
  readonly operation: string;
  /** The Graph root the client talks to (no version): every nextLink must stay on it. */
  readonly root: URL;
  readonly pageCap: number;
}

/** Every item of every page; `fetchPage` GETs a path relative to the version root and returns the body. */
export async function readAllPages(
  read: PagedRead,
  fetchPage: (path: string) => Promise<unknown>,
): Promise<Record<string, unknown>[]> {
  const { operation } = read;
  const rows: Record<string, unknown>[] = [];
  let path = read.firstPath;
  for (let page = 1; ; page++) {
    const answer = asRecord(await fetchPage(path));
    if (!Array.isArray(answer.value)) throw unreadable(operation, 'a page without a value array');
    for (const item of answer.value as unknown[]) {
      if (item === null || typeof item !== 'object' || Array.isArray(item))
        throw unreadable(operation, 'an item that is not an object');
      rows.push(item as Record<string, unknown>);
    }
    const link = answer['@odata.nextLink'];
    if (link === undefined || link === null) return rows;
    if (page >= read.pageCap) throw unreadable(operation, `more than ${read.pageCap} pages`);
    path = samePlacePath(link, read);
  }
}

/** The path to request for a nextLink, which must point at the same Graph root and version. */
function samePlacePath(link: unknown, read: PagedRead): string {
  let url: URL | undefined;
  try {
    url = typeof link === 'string' ? new URL(link) : undefined;
  } catch {
    url = undefined;
  }
  const prefix = `${read.root.pathname.replace(/\/+$/, '')}/${read.version}/`;
  if (!url || url.origin !== read.root.origin || !url.pathname.startsWith(prefix)) {
    throw unreadable(read.operation, 'a nextLink to another host or API version');
  }
  return url.pathname.slice(prefix.length - 1) + url.search;
}
