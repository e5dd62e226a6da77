import { type Knex } from 'knex';

/** Optional narrowing of an export (dataset-specific fields; unknown fields are refused at the API). */
export interface ExportFilter {
  from?: string;
  to?: string;
  role?: string;
  status?: string;
  action?: string;
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
}

const users: ExportDataset = {
  name: 'users',
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
  columns: ['seq', 'occurred_at', 'actor_type', 'actor_id', 'actor_role', 'ip', 'request_id', 'action', 'target_type', 'target_id', 'details', 'hash'],
  chunk: (trx, filter, afterKey, limit) =>
    auditWhere(
      trx('audit_log').select('seq', 'occurred_at', 'actor_type', 'actor_id', 'actor_role', 'ip', 'request_id', 'action', 'target_type', 'target_id', 'details', 'hash'),
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

/** Datasets by name. Other issues add theirs (records, usage, invoices). */
export const exportDatasets: Readonly<Record<string, ExportDataset>> = { users, audit_logs: auditLogs };
