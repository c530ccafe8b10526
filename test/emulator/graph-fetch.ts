/** Plain HTTPS calls to the emulator's Graph with a minted token: exact URLs and headers, no client rewriting. */
import { DEMO_MANAGED_IDENTITY_APP_ID } from '../../dev/graph-emulator/index.js';
import type { TestEmulator } from '../support/emulator.js';

export interface GraphReply {
  status: number;
  body: Record<string, unknown> & { value?: Record<string, unknown>[]; error?: { code: string; message: string } };
}

export type GraphGet = (path: string, headers?: Record<string, string>) => Promise<GraphReply>;

/** A GET function for a token holding exactly `roles`. */
export async function graphAs(emu: TestEmulator, roles: string[]): Promise<GraphGet> {
  const token = await emu.mintToken({ appId: DEMO_MANAGED_IDENTITY_APP_ID, roles });
  return async (path, headers = {}) => {
    const res = await fetch(path.startsWith('https:') ? path : `${emu.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as GraphReply['body'] };
  };
}

export const EVENTUAL = { ConsistencyLevel: 'eventual' };

/** Follows @odata.nextLink with the same headers; returns every item and the page sizes. */
export async function allPages(
  get: GraphGet,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ items: Record<string, unknown>[]; sizes: number[]; links: string[] }> {
  const items: Record<string, unknown>[] = [];
  const sizes: number[] = [];
  const links: string[] = [];
  let next: string | undefined = path;
  for (let guard = 0; next && guard < 1000; guard++) {
    const page = await get(next, headers);
    if (page.status !== 200) throw new Error(`GET ${next} answered ${page.status}: ${JSON.stringify(page.body)}`);
    items.push(...(page.body.value ?? []));
    sizes.push(page.body.value?.length ?? 0);
    next = page.body['@odata.nextLink'] as string | undefined;
    if (next) links.push(next);
  }
  return { items, sizes, links };
}
