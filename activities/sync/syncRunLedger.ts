import { type Database, type TenantTransaction } from '../../platform/db';
import { type RunStreamRow } from '../../platform/sync/syncModel';

/**
 * The run ledger: `sync_runs` (one row per run, the run id being the sync job's id) and
 * `sync_run_streams` (per-stream counters). Page counters are added in the page's own transaction,
 * so the ledger always matches the records and cursors committed.
 */

/**
 * Adds a committed page to its stream's counters. Retries: failed attempts were counted when they
 * failed (`page_failures`); attempts lost without a word (a killed worker, a timeout) are the
 * difference to the committing attempt's number.
 */
export async function addPageToLedger(
  trx: TenantTransaction,
  target: { runId: string; stream: string },
  page: { read: number; inserted: number; updated: number; unchanged: number; deleted: number; attempt: number; done: boolean },
): Promise<void> {
  await trx.raw(
    `update sync_run_streams
        set records_read = records_read + ?, inserted = inserted + ?, updated = updated + ?, unchanged = unchanged + ?, deleted = deleted + ?,
            pages = pages + 1,
            retries = retries + greatest(0, ?::int - 1 - page_failures),
            page_failures = 0,
            error = null,
            status = case when ?::boolean then 'completed' else 'running' end,
            finished_at = case when ?::boolean then now() end,
            updated_at = now()
      where run_id = ? and stream = ?`,
    [page.read, page.inserted, page.updated, page.unchanged, page.deleted, page.attempt, page.done, page.done, target.runId, target.stream],
  );
}

/**
 * Counts a page attempt that did not commit, in its own transaction, so retries show in the run's
 * stats while they happen. `failed`: the attempt failed and will be retried by Temporal; otherwise
 * the workflow waits (429, request budget) and calls again.
 */
export async function countPageSetback(
  db: Database,
  target: { tenantId: string; runId: string; stream: string },
  kind: 'failed' | 'rate_limited' | 'throttled',
  error?: { code: string; message: string },
): Promise<void> {
  await db.withTenant(target.tenantId, (trx) =>
    trx.raw(
      `update sync_run_streams
          set retries = retries + case when ? in ('failed', 'rate_limited') then 1 else 0 end,
              page_failures = page_failures + case when ? = 'failed' then 1 else 0 end,
              rate_limited = rate_limited + case when ? = 'rate_limited' then 1 else 0 end,
              throttled = throttled + case when ? = 'throttled' then 1 else 0 end,
              error = coalesce(?::jsonb, error),
              updated_at = now()
        where run_id = ? and stream = ?`,
      [kind, kind, kind, kind, error ? JSON.stringify({ ...error, transient: true }) : null, target.runId, target.stream],
    ),
  );
}

/** The run's per-stream rows. */
export async function runStreams(trx: TenantTransaction, runId: string): Promise<RunStreamRow[]> {
  return trx('sync_run_streams').where({ run_id: runId }).orderBy('stream');
}
