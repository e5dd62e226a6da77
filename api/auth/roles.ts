import { type Role } from '../../platform/users/roles';

// The role list lives with the users it describes (platform/users) so lower layers validate roles too.
export { ROLES, type Role } from '../../platform/users/roles';

const rank: Record<Role, number> = { admin: 4, manager: 3, member: 2, viewer: 1 };

/** True when `held` includes everything `required` may do. */
export function roleAtLeast(held: Role, required: Role): boolean {
  return rank[held] >= rank[required];
}
