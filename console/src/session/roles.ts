import type { SessionUser } from '../api/types';

/** A console user's role, as the API names it. */
export type Role = SessionUser['role'];

const rank: Record<Role, number> = { viewer: 1, member: 2, manager: 3, admin: 4 };

/**
 * True when `held` may do what `required` may. The console only hides what a role cannot use; the
 * API's access table refuses it anyway (the same table for sessions and keys).
 */
export function roleAtLeast(held: Role | undefined, required: Role): boolean {
  return held !== undefined && rank[held] >= rank[required];
}
