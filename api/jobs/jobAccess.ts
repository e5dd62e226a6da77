import { accessTable } from '../auth/accessTable';
import { type TenantPrincipal } from '../auth/principal';
import { roleAtLeast, type Role } from '../auth/roles';
import { requiredScope, scopesAllow } from '../auth/scopes';
import { errors } from '../errors';

/**
 * Who may run a job: the weakest role and every key scope it needs. A job reads or writes data
 * other routes guard (an export of audit logs reads what `GET /v1/audit-logs` shows), so it needs
 * what those routes need, on top of `POST /v1/jobs`'s own manager and `jobs:write`.
 */
export interface JobAccess {
  role: Role;
  scopes: readonly string[];
}

/**
 * A job only the platform admin may start (a restore into a new tenant slug creates a tenant):
 * no tenant key is enough. `reason` says why and where the platform admin does it.
 */
export interface PlatformAdminOnly {
  platformAdminOnly: true;
  reason: string;
}

/** What calling a tenant route needs, from the access table: `POST /v1/users` → manager, users:write. */
export function routeAccess(key: string): JobAccess {
  const role = accessTable[key];
  if (!role) throw new Error(`${key} is not in the access table`);
  const [method, path] = key.split(' ') as [string, string];
  return { role, scopes: [requiredScope(method, path)] };
}

/** Everything each of the given accesses needs: the strongest role and every scope. */
export function allOf(...accesses: JobAccess[]): JobAccess {
  const role = accesses.map((access) => access.role).reduce((strongest, role) => (roleAtLeast(role, strongest) ? role : strongest));
  return { role, scopes: [...new Set(accesses.flatMap((access) => access.scopes))] };
}

/** `role admin; key scopes users:write` — how the API documents a job's access. */
export function describeAccess(access: JobAccess): string {
  return `role ${access.role} or above${access.scopes.length ? `; key scopes ${access.scopes.join(', ')}` : ''}`;
}

/** Refuses (403 FORBIDDEN) a key whose role or scopes fall short of a job's access; `what` names the act. */
export function assertJobAccess(principal: TenantPrincipal, access: JobAccess | PlatformAdminOnly, what: string): void {
  if ('platformAdminOnly' in access) throw errors.forbidden(`${what} needs the platform admin: ${access.reason}`);
  if (!roleAtLeast(principal.role, access.role)) throw errors.forbidden(`${what} needs role ${access.role} or higher; this key has ${principal.role}`);
  const missing = access.scopes.filter((scope) => !scopesAllow(principal.scopes, scope));
  if (missing.length > 0) throw errors.forbidden(`${what} needs scope ${missing.join(', ')}, which this key does not have`);
}
