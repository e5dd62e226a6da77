import { z } from 'zod';

/**
 * Incremental cursors are inclusive with a lookback window: each traversal starts `lookback`
 * before the newest change the previous one delivered. Sources stamp changes with whole seconds
 * (Salesforce, Epic) and commit after they stamp (long transactions, replicas), so a change can
 * land at or before the newest stamp already read; re-reading the window brings it in, and the
 * records store's content hash keeps the repeats out of the counts and the change feed.
 * Paging inside one traversal stays keyset-based; only its start moves back.
 */

/** The longest lookback a connector may be configured with (one day). */
export const MAX_LOOKBACK_SECONDS = 86_400;

/** Default lookback per connector type, in seconds. */
export const DEFAULT_LOOKBACK_SECONDS = {
  salesforce: 300,
  fhir: 300,
  odata: 120,
  quickbooks: 60,
  stripe: 300,
} as const;

/** The `cursorLookbackSeconds` config field, with the connector type's default in its description. */
export function lookbackSecondsField(defaultSeconds: number) {
  return z
    .number()
    .int()
    .min(0)
    .max(MAX_LOOKBACK_SECONDS)
    .optional()
    .describe(
      `How far before the newest change already read each incremental read starts again (seconds, 0–${MAX_LOOKBACK_SECONDS}; default ${defaultSeconds}). ` +
        'Catches same-second writes and late commits; changes older than this are repaired by a reconcile run.',
    );
}

/** The configured lookback in milliseconds, or the type's default. */
export function lookbackMs(configured: number | undefined, defaultSeconds: number): number {
  return (configured ?? defaultSeconds) * 1000;
}

/**
 * `instant` moved back by `ms`, as ISO 8601 (UTC, milliseconds). A date-only value (`2026-01-31`)
 * stays date-only, moved back by whole days (rounded up), so an Edm.Date filter still parses.
 */
export function lookBack(instant: string, ms: number): string {
  const time = Date.parse(instant);
  if (!Number.isFinite(time)) return instant;
  if (/^\d{4}-\d{2}-\d{2}$/.test(instant)) return new Date(time - Math.ceil(ms / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
  return new Date(time - ms).toISOString();
}
