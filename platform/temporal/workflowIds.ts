import { createHash } from 'node:crypto';

/**
 * Readable, purpose-unique workflow ids (DESIGN.md, Temporal conventions). Ops can guess them:
 * `tenant/acme/onboarding`, `job/acme/export/<jobId>`, `sync/acme/<connectorId>/<stream>`,
 * `billing/acme/2026-11`.
 */
export const workflowIds = {
  tenantOnboarding: (slug: string) => `tenant/${slug}/onboarding`,
  job: (slug: string, kind: string, jobId: string) => `job/${slug}/${kind}/${jobId}`,
  sync: (slug: string, connectorId: string, stream?: string) => (stream ? `sync/${slug}/${connectorId}/${stream}` : `sync/${slug}/${connectorId}`),
  /** One sync run started through the API: `sync/<slug>/<connectorId>/runs/<jobId>`. */
  syncRun: (slug: string, connectorId: string, jobId: string) => `sync/${slug}/${connectorId}/runs/${jobId}`,
  /** Runs a connector's schedule starts (Temporal appends `-<start time>` to each): `sync/<slug>/<connectorId>/scheduled`. */
  scheduledSync: (slug: string, connectorId: string) => `sync/${slug}/${connectorId}/scheduled`,
  /** The Temporal Schedule of a connector's periodic syncs: `sync-schedule/<slug>/<connectorId>`. */
  syncSchedule: (slug: string, connectorId: string) => `sync-schedule/${slug}/${connectorId}`,
  /** Reconcile runs a connector's reconcile schedule starts: `sync/<slug>/<connectorId>/reconcile`. */
  scheduledReconcile: (slug: string, connectorId: string) => `sync/${slug}/${connectorId}/reconcile`,
  /** The Temporal Schedule of a connector's periodic reconcile runs: `sync-schedule/<slug>/<connectorId>/reconcile`. */
  reconcileSchedule: (slug: string, connectorId: string) => `sync-schedule/${slug}/${connectorId}/reconcile`,
  /** The Temporal Schedule of a tenant's daily backup: `backup-schedule/<slug>`. */
  backupSchedule: (slug: string) => `backup-schedule/${slug}`,
  /** Backups the daily schedule starts (Temporal appends `-<start time>`): `backup/<slug>/scheduled`. */
  scheduledBackup: (slug: string) => `backup/${slug}/scheduled`,
  billing: (slug: string, period: string) => `billing/${slug}/${period}`,
  /**
   * A billing run started through the admin API: `billing/<period>` for every tenant, or
   * `billing/<period>/tenants-<hash of the slugs>` for some (scheduled runs: `billing/scheduled-<time>`).
   * The same run cannot go twice at once; different selections may.
   */
  billingRun: (period: string, tenantSlugs?: readonly string[]) =>
    tenantSlugs
      ? `billing/${period}/tenants-${createHash('sha256')
          .update([...new Set(tenantSlugs)].sort().join(','))
          .digest('hex')
          .slice(0, 12)}`
      : `billing/${period}`,
  /** The dunning of a tenant's invoice for a period. */
  dunning: (slug: string, period: string) => `dunning/${slug}/${period}`,
  /** The handling of one Stripe webhook event. */
  stripeEvent: (eventId: string) => `stripe-event/${eventId}`,
  connectorTest: (slug: string, connectorId: string, testId: string) => `connector-test/${slug}/${connectorId}/${testId}`,
  /** One per tenant with webhook endpoints: claims and sends its due deliveries (the delivery engine). */
  webhookDrainer: (slug: string) => `webhooks/${slug}/drainer`,
  /** Legacy (before the drainer): fanned outbox events out into per-delivery workflows. */
  webhookDispatcher: (slug: string) => `webhooks/${slug}/dispatcher`,
  /** Legacy (before the drainer): one workflow per event × endpoint. */
  webhookDelivery: (slug: string, deliveryId: string) => `webhook/${slug}/${deliveryId}`,
} as const;
