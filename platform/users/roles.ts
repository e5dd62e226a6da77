/** Tenant roles, strongest first: admin ⊃ manager ⊃ member ⊃ viewer. */
export const ROLES = ['admin', 'manager', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
