// Before any user: sign in once (the device code prompt comes now, not in the middle of a run) and look at the
// token. An application's token is refused (--direct acts as the person at the terminal, and Entra ID's admin rules
// apply to them); delegated permissions the calls need but the token lacks are named at once. Graph decides in the
// end: a token that cannot be read as a JWT is used as it is.
import type { TokenCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import type { ResetOptions } from '../../lib/domain/index.js';
import { graphPermissions } from '../../lib/graph/graph-permissions.js';

export interface SignedIn {
  /** The person's display name when the token says it. */
  readonly name: string | undefined;
  /** Calls the token's `scp` allows none of the permissions for, with those permissions. */
  readonly missing: readonly string[];
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** The calls a run makes, by the options: the guard's reads always, writes unless a dry run. */
function callsFor(options: ResetOptions): (keyof typeof graphPermissions)[] {
  const reads: (keyof typeof graphPermissions)[] = [
    'readUser',
    'readMethods',
    'readRoleAssignments',
    'readRoleEligibility',
    'readMemberships',
    'readOwnedObjects',
    'readGroups',
    'readGroupEligibility',
  ];
  if (options.dryRun) return reads;
  return [...reads, 'writeMethods', ...(options.revokeSessions ? (['revokeSessions'] as const) : [])];
}

/** Directory-wide delegated permissions that also grant the calls (a token with them needs no warning). */
const BROAD: readonly string[] = ['Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];

export async function checkSignIn(credential: TokenCredential, options: ResetOptions): Promise<SignedIn> {
  let token: string;
  try {
    const got = await credential.getToken('https://graph.microsoft.com/.default');
    if (!got) throw new SignInError('the sign-in returned no token');
    token = got.token;
  } catch (error) {
    if (error instanceof SignInError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new SignInError(`the sign-in failed: ${reason}`);
  }
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return { name: undefined, missing: [] };
  }
  const scp = typeof claims.scp === 'string' ? claims.scp.split(' ').filter((s) => s !== '') : [];
  if (scp.length === 0 && Array.isArray(claims.roles)) {
    throw new SignInError(
      "the token is an application's (roles, no scp): --direct acts as the person signed in; sign in, or give a delegated token",
    );
  }
  const held = new Set(scp);
  const missing = BROAD.some((p) => held.has(p))
    ? []
    : [
        ...new Set(
          callsFor(options).flatMap((c) =>
            graphPermissions[c].some((p) => held.has(p)) ? [] : [graphPermissions[c][0]],
          ),
        ),
      ];
  return { name: typeof claims.name === 'string' ? claims.name : undefined, missing };
}
