import { z } from 'zod';
import { PLAN_IDS, PLANS } from '../../platform/billing/catalogue';
import { effectiveSettings, NOTIFICATION_EVENTS, periodLimitSettingsSchema, tenantBrandingSchema } from '../../platform/tenants/settings';

/** Settings as enforced: the tenant's choices over the plan's defaults. */
export const effectiveSettingsSchema = z.object({
  limits: z
    .object({ maxConcurrentJobs: z.number().int(), maxJobsPerDay: z.number().int(), maxConcurrentSyncs: z.number().int() })
    .extend(periodLimitSettingsSchema.shape),
  notifications: z.object({
    emailRecipients: z.array(z.string()),
    events: z.array(z.enum(NOTIFICATION_EVENTS)),
    usageAlertPercent: z.number().int().nullable(),
  }),
  security: z.object({
    ipAllowlist: z.array(z.string()),
    keyMaxLifetimeDays: z.number().int().nullable(),
    sessionIdleTimeoutMinutes: z.number().int().nullable(),
    sessionLifetimeHours: z.number().int().nullable(),
    mfaRequired: z.boolean(),
  }),
});

/** A tenant as the API shows it. */
export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  plan: z.enum(PLAN_IDS),
  status: z.enum(['active', 'suspended']),
  settings: effectiveSettingsSchema,
  branding: tenantBrandingSchema,
  customDomainApproved: z
    .boolean()
    .describe("A platform admin approved the branding's custom domain: requests whose Host is that domain get the tenant's branded sign-in page"),
  /** What the plan allows (from the plan catalogue). */
  planLimits: z.object({
    requestsPerSecond: z.number().int(),
    apiCallsPerMonth: z.number().int(),
    quotaPolicy: z.enum(['refuse', 'bill_overage']),
    includedSeats: z.number().int(),
  }),
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
  /** The custom domain a platform admin approved (it applies while the branding still names it). */
  approved_custom_domain?: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toTenantView(row: TenantRow): TenantView {
  const plan = PLANS[row.plan];
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    plan: row.plan,
    status: row.status,
    settings: effectiveSettings(row.plan, row.settings),
    branding: row.branding,
    customDomainApproved: customDomainApproved(row),
    planLimits: {
      requestsPerSecond: plan.requestsPerSecond,
      apiCallsPerMonth: plan.apiCallsPerMonth,
      quotaPolicy: plan.quotaPolicy,
      includedSeats: plan.includedSeats,
    },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Whether the branding's custom domain is the one a platform admin approved. */
export function customDomainApproved(row: Pick<TenantRow, 'branding' | 'approved_custom_domain'>): boolean {
  const domain = (row.branding as { customDomain?: unknown }).customDomain;
  return typeof domain === 'string' && !!row.approved_custom_domain && domain.toLowerCase() === row.approved_custom_domain;
}
