import { z } from 'zod';
import { ROLES } from '../auth/roles';

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

/** Timestamps rendered as ISO-8601 by Postgres: the hot list path skips parsing and re-printing dates. */
const isoUtc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column}`;
export const USER_COLUMNS_SQL = [
  'id',
  'tenant_id',
  'email',
  'name',
  'role',
  'status',
  isoUtc('last_active_at'),
  isoUtc('created_at'),
  isoUtc('updated_at'),
].join(', ');

export interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: UserView['role'];
  status: UserView['status'];
  last_active_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    lastActiveAt: row.last_active_at === null ? null : iso(row.last_active_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Users that count as seats for billing: everyone not suspended. */
export const BILLABLE_USER_STATUSES: readonly UserView['status'][] = ['invited', 'active'];

export const userIdParams = z.strictObject({ id: z.uuid() });
