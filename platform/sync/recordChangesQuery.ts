import { type Knex } from 'knex';

/** A row of the change feed, timestamps already as ISO strings. */
export interface RecordChangeRow {
  external_id: string;
  stream: string;
  connector_id: string;
  data: Record<string, unknown>;
  source_updated_at: string | null;
  deleted_at: string | null;
  synced_at: string;
  first_seen_at: string;
  change_seq: string;
  change_xid: string;
}

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The page query of `GET /v1/records`: the tenant's changes after `after`, oldest first, only from
 * transactions older than every one still running (whatever commits later sorts after). Its own
 * module so the benchmark's query floor sends the very same SQL.
 */
export function recordChangesQuery(
  knex: Knex,
  tenantId: string,
  after: { xid: string; seq: string },
  query: { limit: number; connectorId?: string; stream?: string; since?: string | Date },
): Knex.QueryBuilder {
  const select = knex('records')
    .select(
      'external_id',
      'stream',
      'connector_id',
      'data',
      knex.raw(`${iso('source_updated_at')} as source_updated_at`),
      knex.raw(`${iso('deleted_at')} as deleted_at`),
      knex.raw(`${iso('synced_at')} as synced_at`),
      knex.raw(`${iso('first_seen_at')} as first_seen_at`),
      'change_seq',
      knex.raw('change_xid::text as change_xid'),
    )
    .where('tenant_id', tenantId)
    .whereRaw('(change_xid, change_seq) > (?::xid8, ?::bigint)', [after.xid, after.seq])
    .whereRaw('change_xid < pg_snapshot_xmin(pg_current_snapshot())')
    .orderBy([{ column: 'change_xid' }, { column: 'change_seq' }])
    .limit(query.limit);
  if (query.connectorId) select.where('connector_id', query.connectorId);
  if (query.stream) select.where('stream', query.stream);
  if (query.since) select.where('synced_at', '>=', query.since);
  return select;
}
