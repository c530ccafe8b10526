// The emulator as the truth for what a reset did: which of a user's methods Graph's DELETEs removed (answered 204),
// read from the request log, and which the user still has. Ids are compared lower-cased, as Graph's are.
import type { LoggedRequest } from '../../dev/graph-emulator/index.js';
import type { TestEmulator } from './emulator.js';

const lower = (ids: Iterable<string>): string[] => [...new Set([...ids].map((id) => id.toLowerCase()))].sort();

/**
 * The ids of the methods whose DELETE the emulator answered 204 for this user. The method id is the path's last
 * segment, but for an external method's `/$ref` (the segment before) and the QR code PIN, which has no id in its path
 * (`qrCodePinId`: the id it is listed under).
 */
export function deletedIds(log: readonly LoggedRequest[], userId: string, qrCodePinId?: string): string[] {
  const ids = log
    .filter((r) => r.method === 'DELETE' && r.status === 204 && r.path.includes(`/users/${userId}/`))
    .map((r) => {
      const segments = r.path.split('?')[0].split('/');
      const last = segments.at(-1) ?? '';
      if (last === 'qrCodePinMethod') return qrCodePinId ?? last;
      return decodeURIComponent(last === '$ref' ? (segments.at(-2) ?? '') : last);
    });
  return lower(ids);
}

/** The ids of the methods the user has now, as the emulator holds them. */
export async function currentIds(emulator: TestEmulator, userId: string): Promise<string[]> {
  return lower((await emulator.user(userId)).methods.map((m) => m.id));
}

/** The ids of a list of method references, as deletedIds and currentIds give them. */
export const idsOf = (refs: readonly { readonly id: string }[]): string[] => lower(refs.map((r) => r.id));
