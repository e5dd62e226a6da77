import { z } from 'zod';
import { ROLES } from '../../auth/roles';

export const USER_STATUSES = ['invited', 'active', 'suspended'] as const;

/** A user as the API shows it. */
export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  lastActiveAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type UserView = z.infer<typeof userSchema>;

export interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: UserView['role'];
  status: UserView['status'];
  last_active_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    lastActiveAt: row.last_active_at?.toISOString() ?? null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Users that count as seats for billing: everyone not suspended. */
export const BILLABLE_USER_STATUSES: readonly UserView['status'][] = ['invited', 'active'];

export const userIdParams = z.strictObject({ id: z.uuid() });
