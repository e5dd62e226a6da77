import { errors } from '../errors';
import { type TenantPrincipal } from './principal';
import { roleAtLeast, type Role } from './roles';

/**
 * No privilege escalation: a caller may grant, hold power over or remove only roles up to its own
 * (a manager cannot create an admin user, an admin key, or demote an admin).
 */
export function assertRoleWithinCaller(principal: TenantPrincipal, role: Role, what: string): void {
  if (!roleAtLeast(principal.role, role)) {
    throw errors.forbidden(`A ${principal.role} key cannot ${what} with role ${role}, which is above its own`);
  }
}
