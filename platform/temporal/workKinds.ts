/**
 * The kinds of work the hub gives Temporal, one task queue each, so a flood of one kind (a bulk
 * import, a billing run over every tenant, a webhook backlog) cannot hold back the others: each
 * queue has its own backlog and its own pollers, and Kubernetes can run a worker pool per kind.
 *
 * - `general`: tenant onboarding, connector tests, file expiry (short, interactive, rare).
 * - `sync`: connector syncs (page activities, minutes to hours).
 * - `bulk`: jobs over files and tables: imports, exports, migrations, batch scans, backups, restores.
 * - `webhooks`: the per-tenant dispatcher and its deliveries.
 * - `billing`: monthly billing, tenant invoices, Stripe events, dunning.
 *
 * Child workflows and activities stay on their workflow's queue (Temporal's default), so routing a
 * workflow type routes everything it runs.
 */
export const WORK_KINDS = ['general', 'sync', 'bulk', 'webhooks', 'billing'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];
