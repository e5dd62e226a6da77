import { type BillingRunProgress } from './billing';

// Inputs and results of workflows that take more than a job's input (jobs: jobControl.ts; webhooks:
// webhooks.ts). Workflow histories carry them: add optional fields only.

export interface MonthlyBillingInput {
  /** `YYYY-MM`. Scheduled runs leave it out: they bill the month before their scheduled time. */
  period?: string;
  /** The `billing_runs` row (the API creates it; scheduled runs get a new one). */
  billingRunId?: string;
  requestedBy?: string;
  /** Tenant invoices worked on at once (default 20). */
  concurrency?: number;
  /** Only these tenants (slugs); default every active tenant. */
  tenants?: string[];
  /** Tenants handled before continuing as new (default 500; pages never exceed it). */
  tenantsPerRun?: number;
  /** State carried across continue-as-new. */
  carry?: { afterTenantId: string | null; progress: BillingRunProgress };
}

export interface TenantInvoiceInput {
  tenantId: string;
  tenantSlug: string;
  /** `YYYY-MM` */
  period: string;
  billingRunId?: string;
}

export interface TenantInvoiceResult {
  invoiceId: string;
  /** `created`: this run issued it; `existing`: it had been issued before (nothing sent to Stripe). */
  outcome: 'created' | 'existing';
  status: string;
  totalCents: number;
}

export interface ConnectorTestInput {
  tenantId: string;
  connectorId: string;
  /** API key that asked for the test (audit). */
  requestedBy?: string;
}

export interface StripeEventInput {
  /** Stripe's event id; the event itself is in `stripe_events` (never in workflow history). */
  eventId: string;
  type: string;
}

/** Input of the `scheduledBackup` workflow the daily schedule starts. */
export interface ScheduledBackupInput {
  tenantId: string;
  tenantSlug: string;
}

/** What one run of `fileExpiry` removed, over every tenant it went through. */
export interface FileExpiryResult {
  tenants: number;
  /** Uploads deleted. */
  uploads: number;
  /** Job outputs expired (a download then answers 410 JOB_OUTPUT_EXPIRED). */
  outputs: number;
  /** Bytes freed from the tenants' storage quotas. */
  bytes: number;
}

/** Input of the `fileExpiry` workflow (the file-expiry schedule passes `{}`). */
export interface FileExpiryInput {
  /** Tenants per page, one activity each (default 100). */
  pageSize?: number;
  /** Pages before continuing as new (default 50). */
  pagesPerRun?: number;
  /** State carried across continue-as-new. */
  carry?: { afterTenantId: string; totals: FileExpiryResult };
}
