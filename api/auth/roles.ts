/** Tenant roles, strongest first: admin ⊃ manager ⊃ member ⊃ viewer. */
export const ROLES = ['admin', 'manager', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const rank: Record<Role, number> = { admin: 4, manager: 3, member: 2, viewer: 1 };

/** True when `held` includes everything `required` may do. */
export function roleAtLeast(held: Role, required: Role): boolean {
  return rank[held] >= rank[required];
}
