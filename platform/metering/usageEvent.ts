/**
 * A metered thing a tenant did or consumed. Every kind of usage goes through the same table:
 * `api_call` (the API records one per authenticated request), and whatever later features meter
 * (`scan`, `sync_records`, …). Billing rolls these up; analytics reads them.
 */
export interface UsageEvent {
  tenantId: string;
  /** Lowercase snake_case, e.g. `api_call`, `scan`, `sync_records`. */
  kind: string;
  /** How many units (calls, items, records). 0 records the event without billing it. */
  quantity: number;
  /** Defaults to now. */
  occurredAt?: Date;
  apiKeyId?: string | null;
  method?: string | null;
  /** Route template (`/v1/users/:id`), never the raw URL. */
  route?: string | null;
  status?: number | null;
  latencyMs?: number | null;
  /** Weighted cost of the event (heavier routes cost more); 0 when not billed. */
  costUnits?: number;
  /**
   * Idempotency key for events recorded from activities (derive it from the workflow id and
   * step): recording the same key twice counts once.
   */
  dedupeKey?: string | null;
  /** Small, non-sensitive context (never PHI, never secrets). */
  details?: Record<string, unknown>;
}

/** The well-known kinds. Others are allowed (the column is open) but should be added here. */
export const USAGE_KINDS = {
  apiCall: 'api_call',
  scan: 'scan',
  syncRecords: 'sync_records',
} as const;

export const USAGE_KIND_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

/** `2026-11-01` for any instant in November 2026 (UTC): the key of monthly counters. */
export function usagePeriodOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-01`;
}
