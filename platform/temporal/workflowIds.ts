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
  billing: (slug: string, period: string) => `billing/${slug}/${period}`,
  connectorTest: (slug: string, connectorId: string, testId: string) => `connector-test/${slug}/${connectorId}/${testId}`,
} as const;
