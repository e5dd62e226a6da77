import { type Knex } from 'knex';

/** Optional narrowing of an export (dataset-specific fields; unknown fields are refused at the API). */
export interface ExportFilter {
  from?: string;
  to?: string;
  role?: string;
  status?: string;
  action?: string;
  connectorId?: string;
  stream?: string;
}

/**
 * A dataset tenants can export: its columns (in output order), its keyset-pagination key, and the
 * query of one chunk. Queries run inside withTenant, so RLS scopes them.
 */
export interface ExportDataset {
  name: string;
  columns: readonly string[];
  /** Builds the query for rows after `afterKey` (exclusive), ordered by the key. */
  chunk(trx: Knex.Transaction, filter: ExportFilter, afterKey: string | null, limit: number): Knex.QueryBuilder;
  /** Builds the count query. */
  count(trx: Knex.Transaction, filter: ExportFilter): Knex.QueryBuilder;
  /** The key of a row, for the next chunk. */
  keyOf(row: Record<string, unknown>): string;
  /** The order a report (PDF) lists rows in, for a reader rather than for paging: columns, most significant first. */
  reportOrder: readonly string[];
}

const users: ExportDataset = {
  name: 'users',
  reportOrder: ['name', 'email'],
  columns: ['id', 'email', 'name', 'role', 'status', 'created_at', 'updated_at', 'last_active_at'],
  chunk: (trx, filter, afterKey, limit) =>
    usersWhere(trx('users').select('id', 'email', 'name', 'role', 'status', 'created_at', 'updated_at', 'last_active_at'), filter)
      .modify((query) => (afterKey ? query.where('id', '>', afterKey) : query))
      .orderBy('id')
      .limit(limit),
  count: (trx, filter) => usersWhere(trx('users').count({ count: '*' }), filter),
  keyOf: (row) => String(row.id),
};

function usersWhere(query: Knex.QueryBuilder, filter: ExportFilter): Knex.QueryBuilder {
  if (filter.role) query.where('role', filter.role);
  if (filter.status) query.where('status', filter.status);
  return query;
}

const auditLogs: ExportDataset = {
  name: 'audit_logs',
  reportOrder: ['seq'],
  columns: ['seq', 'occurred_at', 'actor_type', 'actor_id', 'actor_role', 'ip', 'request_id', 'action', 'target_type', 'target_id', 'details', 'hash'],
  chunk: (trx, filter, afterKey, limit) =>
    auditWhere(
      trx('audit_log').select(
        'seq',
        'occurred_at',
        'actor_type',
        'actor_id',
        'actor_role',
        'ip',
        'request_id',
        'action',
        'target_type',
        'target_id',
        'details',
        'hash',
      ),
      filter,
    )
      .modify((query) => (afterKey ? query.where('seq', '>', Number(afterKey)) : query))
      .orderBy('seq')
      .limit(limit),
  count: (trx, filter) => auditWhere(trx('audit_log').count({ count: '*' }), filter),
  keyOf: (row) => String(row.seq),
};

function auditWhere(query: Knex.QueryBuilder, filter: ExportFilter): Knex.QueryBuilder {
  if (filter.from) query.where('occurred_at', '>=', filter.from);
  if (filter.to) query.where('occurred_at', '<', filter.to);
  if (filter.action) query.where('action', filter.action);
  return query;
}

const INVOICE_COLUMNS = [
  'id',
  'period',
  'status',
  'plan',
  'currency',
  'subtotal_cents',
  'total_cents',
  'amount_paid_cents',
  'lines',
  'usage',
  'stripe_invoice_id',
  'stripe_invoice_number',
  'hosted_invoice_url',
  'attempt_count',
  'finalized_at',
  'paid_at',
  'created_at',
] as const;

/** One row per invoice (lines and usage as JSON); `from`/`to` select by the period's first day. */
const invoices: ExportDataset = {
  name: 'invoices',
  reportOrder: ['period', 'created_at'],
  columns: INVOICE_COLUMNS,
  chunk: (trx, filter, afterKey, limit) =>
    invoicesWhere(
      trx('invoices').select(INVOICE_COLUMNS.map((column) => (column.endsWith('_cents') ? trx.raw(`??::float8 as ??`, [column, column]) : column))),
      filter,
    )
      .modify((query) => (afterKey ? query.where('id', '>', afterKey) : query))
      .orderBy('id')
      .limit(limit),
  count: (trx, filter) => invoicesWhere(trx('invoices').count({ count: '*' }), filter),
  keyOf: (row) => String(row.id),
};

function invoicesWhere(query: Knex.QueryBuilder, filter: ExportFilter): Knex.QueryBuilder {
  if (filter.from) query.whereRaw(`to_date(period || '-01', 'YYYY-MM-DD') >= (?::timestamptz at time zone 'UTC')::date`, [filter.from]);
  if (filter.to) query.whereRaw(`to_date(period || '-01', 'YYYY-MM-DD') < (?::timestamptz at time zone 'UTC')::date`, [filter.to]);
  return query;
}

/**
 * A timestamptz column as ISO 8601 text (UTC, milliseconds: what Date#toISOString writes), formatted
 * by Postgres: on million-row exports, parsing into Date and formatting back is a large share of the
 * worker's CPU.
 */
function isoTimestamp(trx: Knex.Transaction, column: string): Knex.Raw {
  return trx.raw(`to_char(?? at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ??`, [column, column]);
}

const RECORD_COLUMNS = ['connector_id', 'stream', 'external_id', 'data', 'data_hash', 'source_updated_at', 'deleted_at', 'first_seen_at', 'synced_at'] as const;

/**
 * The sync engine's records (deleted ones included, with `deleted_at`), in primary-key order;
 * `from`/`to` select by `synced_at`, `connectorId`/`stream` narrow to one source.
 */
const records: ExportDataset = {
  name: 'records',
  reportOrder: ['first_seen_at', 'stream', 'external_id'],
  columns: RECORD_COLUMNS,
  chunk: (trx, filter, afterKey, limit) =>
    recordsWhere(trx('records').select(RECORD_COLUMNS.map((column) => (column.endsWith('_at') ? isoTimestamp(trx, column) : column))), filter)
      .modify((query) =>
        afterKey ? query.whereRaw('(connector_id, stream, external_id) > (?, ?, ?)', JSON.parse(afterKey) as [string, string, string]) : query,
      )
      .orderBy(['connector_id', 'stream', 'external_id'])
      .limit(limit),
  count: (trx, filter) => recordsWhere(trx('records').count({ count: '*' }), filter),
  keyOf: (row) => JSON.stringify([row.connector_id, row.stream, row.external_id]),
};

function recordsWhere(query: Knex.QueryBuilder, filter: ExportFilter): Knex.QueryBuilder {
  if (filter.from) query.where('synced_at', '>=', filter.from);
  if (filter.to) query.where('synced_at', '<', filter.to);
  if (filter.connectorId) query.where('connector_id', filter.connectorId);
  if (filter.stream) query.where('stream', filter.stream);
  return query;
}

const USAGE_COLUMNS = ['day', 'kind', 'endpoint', 'events', 'quantity', 'cost_units', 'errors', 'avg_latency_ms'] as const;

/**
 * Metered usage as the daily rollup billing reads (`usage_daily`: one row per day, kind and
 * endpoint); `from`/`to` select by day, `action` is not used.
 */
const usage: ExportDataset = {
  name: 'usage',
  reportOrder: ['day', 'kind', 'endpoint'],
  columns: USAGE_COLUMNS,
  chunk: (trx, filter, afterKey, limit) =>
    usageWhere(
      trx('usage_daily').select(
        trx.raw(`to_char(day, 'YYYY-MM-DD') as day`),
        'kind',
        'endpoint',
        trx.raw('events::float8 as events'),
        trx.raw('quantity::float8 as quantity'),
        trx.raw('cost_units::float8 as cost_units'),
        trx.raw('errors::float8 as errors'),
        trx.raw('case when latency_count > 0 then round((latency_ms_sum / latency_count)::numeric, 2)::float8 end as avg_latency_ms'),
      ),
      filter,
    )
      .modify((query) => (afterKey ? query.whereRaw('(day, kind, endpoint) > (?::date, ?, ?)', JSON.parse(afterKey) as [string, string, string]) : query))
      .orderBy(['day', 'kind', 'endpoint'])
      .limit(limit),
  count: (trx, filter) => usageWhere(trx('usage_daily').count({ count: '*' }), filter),
  keyOf: (row) => JSON.stringify([row.day, row.kind, row.endpoint]),
};

function usageWhere(query: Knex.QueryBuilder, filter: ExportFilter): Knex.QueryBuilder {
  if (filter.from) query.whereRaw(`day >= (?::timestamptz at time zone 'UTC')::date`, [filter.from]);
  if (filter.to) query.whereRaw(`day < (?::timestamptz at time zone 'UTC')::date`, [filter.to]);
  return query;
}

/** Datasets by name. */
export const exportDatasets: Readonly<Record<string, ExportDataset>> = { users, audit_logs: auditLogs, invoices, records, usage };
