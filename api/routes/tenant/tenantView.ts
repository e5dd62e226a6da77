import { z } from 'zod';

export const PLANS = ['starter', 'professional', 'enterprise'] as const;

/** A tenant as the API shows it. */
export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  plan: z.enum(PLANS),
  status: z.enum(['active', 'suspended']),
  settings: z.record(z.string(), z.unknown()),
  branding: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TenantView = z.infer<typeof tenantSchema>;

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  plan: TenantView['plan'];
  status: TenantView['status'];
  settings: Record<string, unknown>;
  branding: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export function toTenantView(row: TenantRow): TenantView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    plan: row.plan,
    status: row.status,
    settings: row.settings,
    branding: row.branding,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
