// The requester of one API call: the verified identity of its token and the address it came from (audit evidence).

import type { Principal } from '../auth/index.js';
import type { Requester } from '../domain/index.js';
import { clientAddressOf } from './client-address.js';

export function requesterOf(
  principal: Pick<Principal, 'identity'>,
  headers: { get(name: string): string | null },
): Requester {
  const clientAddress = clientAddressOf(headers.get('x-forwarded-for'));
  return { ...principal.identity, ...(clientAddress ? { clientAddress } : {}) };
}
