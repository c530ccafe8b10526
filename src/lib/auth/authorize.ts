import { missingRole } from './auth-errors.js';
import type { Principal } from './principal.js';
import type { Role } from '../domain/index.js';

/** Throws a 403 problem naming the role when the principal lacks it. */
export function requireRole(principal: Principal, role: Role): void {
  if (!principal.roles.includes(role)) throw missingRole(role, principal.identity.identityType);
}
