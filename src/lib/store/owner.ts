// Who owns a request: the caller that created it (tenant + client app + principal object id).
import type { CallerRef } from '../domain/index.js';
import type { StoredRequest } from './ports.js';

export function isOwner(request: Pick<StoredRequest, 'caller'>, caller: CallerRef): boolean {
  const owner = request.caller;
  return (
    owner.tenantId === caller.tenantId &&
    owner.appId === caller.appId &&
    (owner.objectId ?? '') === (caller.objectId ?? '')
  );
}
