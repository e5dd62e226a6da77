import knex, { type Knex } from 'knex';
import { Client as PgClient } from 'pg';
import { type HubConfig } from './config';
import { type Logger } from './logger';
import { sendPipelined, type ScopedStatement } from './sql/pipeline';
import { ReadBatcher, type BatchPool } from './sql/readBatcher';

/**
 * A statement written out with `$1…$n` placeholders: what the hottest reads pass instead of a knex
 * builder, so no query is built per request (the text is a constant; it is prepared once per
 * connection).
 */
export interface SqlStatement {
  sql: string;
  values: readonly unknown[];
}

/** Name of the role the API and worker log in as: no superuser, no BYPASSRLS. */
export const APP_ROLE = 'hub_app';

/** A knex transaction whose `app.tenant_id` is set: every tenant table's RLS policy applies. */
export type TenantTransaction = Knex.Transaction & { readonly __tenantScoped: true };
/** A knex transaction in platform scope: may read and write the `tenants` directory. */
export type PlatformTransaction = Knex.Transaction & { readonly __platformScoped: true };

/**
 * The hub's database access. Tenant data is reachable only through {@link Database.withTenant}; the
 * raw pool is there for health checks and for the few platform-scope statements.
 */
export interface Database {
  /** The app-role pool. Queries on tenant tables outside withTenant see no rows (RLS). */
  readonly knex: Knex;
  /** Runs `fn` in a transaction bound to one tenant (`set_config('app.tenant_id', …, true)`). */
  withTenant<T>(tenantId: string, fn: (trx: TenantTransaction) => Promise<T>): Promise<T>;
  /**
   * Like withTenant, read-only and REPEATABLE READ: every statement of `fn` sees the same snapshot
   * of the database (what a backup reads, so its tables agree with one another).
   */
  withTenantSnapshot<T>(tenantId: string, fn: (trx: TenantTransaction) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction that may see every tenant's row of the `tenants` directory only. */
  withPlatform<T>(fn: (trx: PlatformTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction with the given transaction-local settings, for the few lookups that
   * precede knowing the tenant (API key authentication sets `app.api_key_prefix`).
   */
  withSettings<T>(settings: Record<string, string>, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs one read as a tenant in a single round trip: `set_config` and the query as prepared
   * statements pipelined before one `Sync` (concurrent reads share messages under load:
   * {@link ReadBatcher}). For hot single-statement reads (API lookups); anything that writes or
   * needs several statements uses withTenant.
   */
  readAsTenant<T = Record<string, unknown>>(tenantId: string, query: Knex.QueryBuilder | Knex.Raw | SqlStatement): Promise<T[]>;
  /** Like readAsTenant, with arbitrary transaction-local settings (authentication). */
  readWithSettings<T = Record<string, unknown>>(settings: Record<string, string>, query: Knex.QueryBuilder | Knex.Raw): Promise<T[]>;
  /**
   * Runs statements of several tenants, each with its own `app.tenant_id`, in one transaction and
   * one round trip (prepared statements pipelined before one `Sync`): all commit or none does.
   * Answers each statement's rows, in order. For hot batched writes (the API's usage flush).
   */
  writeAsTenants<T = Record<string, unknown>>(statements: ReadonlyArray<{ tenantId: string; statement: SqlStatement }>): Promise<T[][]>;
  /** Answers `select 1` within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/* eslint-disable @typescript-eslint/no-require-imports */
// knex's Postgres client and transaction classes (knex ships no types for these internals).
type KnexInternalTransaction = { query(connection: unknown, sql: string): Promise<unknown>; isolationLevel?: string; readOnly?: boolean };
const PostgresClient = require('knex/lib/dialects/postgres') as new (config: Knex.Config) => { transaction(...args: unknown[]): unknown };
const PostgresTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction') as new (...args: unknown[]) => KnexInternalTransaction & {
  begin(connection: unknown): Promise<unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const escapeLiteral = (value: string) => PgClient.prototype.escapeLiteral(value);

/**
 * A transaction that sends `BEGIN` and its session settings (`set_config(…, true)`, i.e. local to
 * the transaction) in one round trip. Values are escaped as literals. withTenant uses it for
 * `app.tenant_id`, so every tenant-scoped request saves a round trip.
 */
class ScopedTransaction extends PostgresTransaction {
  private readonly settings: Record<string, string> | undefined;
  constructor(...args: unknown[]) {
    super(...args);
    this.settings = (args[2] as { settings?: Record<string, string> } | undefined)?.settings;
  }
  override begin(connection: unknown): Promise<unknown> {
    if (!this.settings) return super.begin(connection);
    const assignments = Object.entries(this.settings).map(([name, value]) => `set_config(${escapeLiteral(name)}, ${escapeLiteral(value)}, true)`);
    // The mode belongs to BEGIN: the SELECT below is the transaction's first query (it takes the snapshot).
    const mode = [this.isolationLevel ? `ISOLATION LEVEL ${this.isolationLevel}` : '', this.readOnly ? 'READ ONLY' : ''].join(' ').trim();
    return this.query(connection, `BEGIN${mode ? ` TRANSACTION ${mode}` : ''}; SELECT ${assignments.join(', ')};`);
  }
}

class HubPostgresClient extends PostgresClient {
  override transaction(...args: unknown[]): unknown {
    return new ScopedTransaction(this, ...args);
  }
}

/** Transaction config carrying settings for {@link ScopedTransaction}. */
function scoped(settings: Record<string, string>, mode: Pick<Knex.TransactionConfig, 'isolationLevel' | 'readOnly'> = {}): Knex.TransactionConfig {
  return { settings, ...mode } as Knex.TransactionConfig;
}

/** Builds the app-role connection URL: DATABASE_APP_URL, else DATABASE_URL with the hub_app login. */
export function appDatabaseUrl(config: Pick<HubConfig, 'DATABASE_URL' | 'DATABASE_APP_URL' | 'DATABASE_APP_PASSWORD'>): string {
  if (config.DATABASE_APP_URL) return config.DATABASE_APP_URL;
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  if (!config.DATABASE_APP_PASSWORD) throw new Error('DATABASE_APP_PASSWORD is not set (needed to derive the hub_app connection)');
  const url = new URL(config.DATABASE_URL);
  url.username = APP_ROLE;
  url.password = config.DATABASE_APP_PASSWORD;
  return url.toString();
}

/** Opens the app-role pool. */
export function createDatabase(options: { url: string; poolMax: number; applicationName: string; logger?: Logger }): Database {
  const log = (level: 'warn' | 'error' | 'debug') => (message: unknown) => options.logger?.[level]({ component: 'knex' }, String(message));
  const connection = knex({
    client: HubPostgresClient as unknown as typeof Knex.Client,
    log: { warn: log('warn'), error: log('error'), deprecate: log('warn'), debug: log('debug') },
    connection: { connectionString: options.url, application_name: options.applicationName },
    pool: { min: 0, max: options.poolMax },
    acquireConnectionTimeout: 10_000,
  });

  // Hot single-statement reads share round trips under load (see ReadBatcher). A third of the pool
  // carries them, so transactions always find connections.
  const reads = new ReadBatcher(connection.client as unknown as BatchPool, { maxInFlight: Math.max(1, Math.floor(options.poolMax / 3)), maxBatch: 32 });

  return {
    knex: connection,
    async withTenant(tenantId, fn) {
      // A malformed id must not become "no tenant" (which RLS would answer with zero rows, silently).
      if (!UUID.test(tenantId)) throw new Error(`withTenant: not a tenant id: ${tenantId}`);
      return connection.transaction(async (trx) => fn(trx as TenantTransaction), scoped({ 'app.tenant_id': tenantId }));
    },
    async withTenantSnapshot(tenantId, fn) {
      if (!UUID.test(tenantId)) throw new Error(`withTenantSnapshot: not a tenant id: ${tenantId}`);
      return connection.transaction(
        async (trx) => fn(trx as TenantTransaction),
        scoped({ 'app.tenant_id': tenantId }, { isolationLevel: 'repeatable read', readOnly: true }),
      );
    },
    async withPlatform(fn) {
      return connection.transaction(async (trx) => fn(trx as PlatformTransaction), scoped({ 'app.platform': 'on' }));
    },
    async withSettings(settings, fn) {
      return connection.transaction(fn, scoped(settings));
    },
    async readAsTenant<T>(tenantId: string, query: Knex.QueryBuilder | Knex.Raw | SqlStatement) {
      if (!UUID.test(tenantId)) throw new Error(`readAsTenant: not a tenant id: ${tenantId}`);
      return (await reads.read(scopedRead({ 'app.tenant_id': tenantId }, query))) as T[];
    },
    async readWithSettings<T>(settings: Record<string, string>, query: Knex.QueryBuilder | Knex.Raw) {
      return (await reads.read(scopedRead(settings, query))) as T[];
    },
    async writeAsTenants<T>(statements: ReadonlyArray<{ tenantId: string; statement: SqlStatement }>) {
      for (const { tenantId } of statements) if (!UUID.test(tenantId)) throw new Error(`writeAsTenants: not a tenant id: ${tenantId}`);
      const pool = connection.client as unknown as BatchPool;
      const pg = await pool.acquireConnection();
      try {
        return (await sendPipelined(
          pg,
          statements.map(({ tenantId, statement }) => ({ settings: [['app.tenant_id', tenantId]], sql: statement.sql, values: statement.values })),
        )) as T[][];
      } finally {
        await pool.releaseConnection(pg);
      }
    },
    async ping(timeoutMs) {
      await Promise.race([
        connection.raw('select 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`database did not answer in ${timeoutMs} ms`)), timeoutMs).unref()),
      ]);
    },
    async close() {
      await connection.destroy();
    },
  };
}

/** A knex query as a prepared, pipelined read: its settings, its `$n` SQL and its values. */
function scopedRead(settings: Record<string, string>, query: Knex.QueryBuilder | Knex.Raw | SqlStatement): ScopedStatement {
  if ('sql' in query && 'values' in query) return { settings: Object.entries(settings), sql: query.sql, values: query.values };
  const native = (query as Knex.QueryBuilder | Knex.Raw).toSQL().toNative();
  return { settings: Object.entries(settings), sql: native.sql, values: native.bindings };
}

/** True for Postgres foreign-key violations: the row referred to is gone (deleted by a concurrent request). */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23503';
}

/** True for Postgres unique-violation errors, optionally on a named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError?.code === '23505' && (constraint === undefined || pgError.constraint === constraint);
}
