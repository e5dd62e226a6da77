import { type ConnectorRecord } from '../../connectors/types';
import { type TenantTransaction } from '../../platform/db';

/**
 * Writes to the `records` store. Every change stamps the row with its transaction id
 * (`change_xid`) and a fresh `change_seq`; the change feed orders by both and only shows
 * transactions older than the oldest one running, so writers run in parallel without locks and a
 * consumer never skips a change that commits late (see the migration and GET /v1/records).
 */

export interface StoredPageCounts {
  inserted: number;
  updated: number;
  deleted: number;
  /** Records that changed nothing (same hash, deletion already known, repeats within the page). */
  unchanged: number;
}

/**
 * A stored record really changes when it is deleted now, or live with other data (or back from
 * deletion). The same expression decides the update's WHERE and each column (unchanged rows in a
 * full refresh only take the run marker).
 */
const CHANGED = `((excluded.deleted_at is not null and r.deleted_at is null)
              or (excluded.deleted_at is null and (r.deleted_at is not null or r.data_hash <> excluded.data_hash)))`;

/**
 * Upserts one page of a stream in one statement:
 * `INSERT … ON CONFLICT DO UPDATE … WHERE`, so every lookup goes through the primary key whatever
 * the planner's statistics say.
 * - change detection by `data_hash` (md5 of the canonical jsonb text, computed by Postgres in the
 *   same pass): unchanged records are not rewritten and keep their `change_seq` and `synced_at`;
 * - new records are inserted, changed ones updated, deletions set `deleted_at` (keeping the last
 *   data); each of those takes the `change_seq` drawn for it (unused numbers are simply skipped)
 *   and its transaction's id;
 * - a deletion of a record never seen is stored as a deleted record (the feed reports it);
 * - in a full refresh, unchanged records only get the run marker (`seen_run_id`) the final sweep
 *   relies on; incremental runs leave them alone.
 * A record repeated within the page counts once (the last occurrence wins). Inserted and changed
 * rows are told apart by `first_seen_at` / `synced_at` = the transaction's `now()`.
 */
export async function storePage(
  trx: TenantTransaction,
  target: { tenantId: string; connectorId: string; stream: string; runId: string; fullRefresh: boolean },
  records: readonly ConnectorRecord[],
): Promise<StoredPageCounts> {
  if (records.length === 0) return { inserted: 0, updated: 0, deleted: 0, unchanged: 0 };
  const latest = new Map<string, ConnectorRecord>();
  for (const record of records) latest.set(record.externalId, record);
  const page = JSON.stringify(
    [...latest.values()].map((record) => ({
      external_id: record.externalId,
      data: record.data,
      source_updated_at: record.sourceUpdatedAt,
      deleted: record.deleted === true,
    })),
  );
  const result = await trx.raw(
    `with written as (
       insert into records as r (tenant_id, connector_id, stream, external_id, data, data_hash, source_updated_at, deleted_at, first_seen_at, synced_at, change_seq, seen_run_id)
       select ?::uuid, ?::uuid, ?::text, x.external_id, x.data, md5(x.data::text), x.source_updated_at,
              case when x.deleted then now() end, now(), now(), nextval('records_change_seq'), ?::uuid
         from jsonb_to_recordset(?::jsonb) as x(external_id text, data jsonb, source_updated_at timestamptz, deleted boolean)
       on conflict (tenant_id, connector_id, stream, external_id) do update
          set data = case when excluded.deleted_at is null then excluded.data else r.data end,
              data_hash = case when excluded.deleted_at is null then excluded.data_hash else r.data_hash end,
              source_updated_at = case when ${CHANGED} then coalesce(excluded.source_updated_at, r.source_updated_at) else r.source_updated_at end,
              deleted_at = case when ${CHANGED} then excluded.deleted_at else r.deleted_at end,
              synced_at = case when ${CHANGED} then excluded.synced_at else r.synced_at end,
              change_seq = case when ${CHANGED} then excluded.change_seq else r.change_seq end,
              change_xid = case when ${CHANGED} then excluded.change_xid else r.change_xid end,
              seen_run_id = excluded.seen_run_id
        where ${CHANGED} or (?::boolean and r.seen_run_id is distinct from excluded.seen_run_id)
       returning r.first_seen_at = now() as inserted, r.synced_at = now() as changed, r.deleted_at is not null as deleted
     )
     select count(*) filter (where inserted and not deleted)::int as inserted,
            count(*) filter (where changed and not inserted and not deleted)::int as updated,
            count(*) filter (where changed and deleted)::int as deleted
       from written`,
    [target.tenantId, target.connectorId, target.stream, target.runId, page, target.fullRefresh],
  );
  const row = result.rows[0] as { inserted: number; updated: number; deleted: number };
  return { ...row, unchanged: records.length - row.inserted - row.updated - row.deleted };
}

/**
 * The full-refresh sweep (once the run succeeded): marks the
 * stream's live records this run did not see as deleted. Returns how many.
 */
export async function sweepUnseenRecords(
  trx: TenantTransaction,
  target: { tenantId: string; connectorId: string; stream: string; runId: string },
): Promise<number> {
  const result = await trx.raw(
    `update records
        set deleted_at = now(), synced_at = now(), change_seq = nextval('records_change_seq'), change_xid = pg_current_xact_id()
      where tenant_id = ? and connector_id = ? and stream = ? and deleted_at is null and seen_run_id is distinct from ?::uuid`,
    [target.tenantId, target.connectorId, target.stream, target.runId],
  );
  return result.rowCount ?? 0;
}
