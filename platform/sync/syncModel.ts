/**
 * The sync engine's shared vocabulary: run modes and triggers, and the per-stream counters of the
 * run ledger (`sync_run_streams`), used by the activities that write them and the API that shows them.
 */

/**
 * - `incremental`: from the stored cursor (each traversal re-reads the connector's lookback window);
 * - `full_refresh`: re-read everything, then mark the records not seen as deleted;
 * - `reconcile`: the same full read, run to repair what incremental cursors missed (changes older
 *   than the lookback window, deletions the source does not report); its ledger counts are the repairs.
 */
export const SYNC_MODES = ['incremental', 'full_refresh', 'reconcile'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** Modes that read every record from the beginning and sweep the ones not seen. */
export const readsEverything = (mode: SyncMode): boolean => mode !== 'incremental';
export type SyncTrigger = 'api' | 'schedule';

/** Per-stream counters of a run. */
export interface StreamStats {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  pages: number;
  /** Page attempts repeated: after a failure (5xx, reset, lost worker) or a 429. */
  retries: number;
  /** Pages the source answered 429 (waited for its Retry-After). */
  rateLimited: number;
  /** Pages that waited for the connector's request budget. */
  throttled: number;
}

export const emptyStreamStats = (): StreamStats => ({
  read: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  pages: 0,
  retries: 0,
  rateLimited: 0,
  throttled: 0,
});

/** A `sync_run_streams` row. */
export interface RunStreamRow {
  stream: string;
  status: string;
  records_read: string | number;
  inserted: string | number;
  updated: string | number;
  unchanged: string | number;
  deleted: string | number;
  pages: number;
  retries: number;
  rate_limited: number;
  throttled: number;
  error: { code: string; message: string } | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

export function statsOf(row: RunStreamRow): StreamStats {
  return {
    read: Number(row.records_read),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
    unchanged: Number(row.unchanged),
    deleted: Number(row.deleted),
    pages: Number(row.pages),
    retries: Number(row.retries),
    rateLimited: Number(row.rate_limited),
    throttled: Number(row.throttled),
  };
}

export function sumStats(all: StreamStats[]): StreamStats {
  const total = emptyStreamStats();
  for (const stats of all) for (const key of Object.keys(total) as Array<keyof StreamStats>) total[key] += stats[key];
  return total;
}
