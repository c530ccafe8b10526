// Whether revoking sign-in sessions reaches the user. "This API doesn't revoke sign-in sessions for external users,
// because external users sign in through their home tenant" (api/user-revokesigninsessions, v1.0): for them the
// engine does not call it and reports `sessionsRevoked: false` with the reason `external_user`.
import type { GraphUser } from '../domain/index.js';

/**
 * A B2B user: an invited account (`externalUserState` is set only for users invited through B2B, resources/user,
 * v1.0) or one whose UPN carries the `#EXT#` mark of invited accounts. `userType` alone does not decide: a guest with
 * a local account signs in here (and is revoked), a B2B member signs in at home.
 */
export function signsInElsewhere(user: GraphUser): boolean {
  return user.userPrincipalName.toUpperCase().includes('#EXT#') || Boolean(user.externalUserState);
}
