import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * The sync engine's tables.
 * - `records`: what syncs brought in, one row per (connector, stream, external id). `data_hash`
 *   (md5 of the canonical jsonb text) detects changes: unchanged records are not rewritten.
 *   Every insert, update and deletion stamps the row with its writing transaction's id
 *   (`change_xid`, xid8) and a number from `records_change_seq` (`change_seq`). The change feed
 *   (`GET /v1/records?cursor=`) orders by (change_xid, change_seq) and shows only rows whose
 *   transaction is older than the oldest one still running (`pg_snapshot_xmin`): a transaction that
 *   commits later always sorts after what a consumer has seen, so no change is ever skipped, and
 *   writers never wait for each other. `seen_run_id` is the run marker a full refresh sweeps by.
 * - `sync_stream_state`: each stream's cursor, committed with the records it covers, and the page
 *   the last run committed (so a retried page is answered, not applied twice).
 * - `sync_runs` / `sync_run_streams`: the run ledger (one run = one `sync` job) with per-stream
 *   stats written by every page's transaction. At most one active run per connector.
 * - `sync_schedules`: the connector's Temporal Schedule (`PUT /v1/connectors/:id/schedule`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence records_change_seq as bigint');

  await knex.schema.createTable('records', (table) => {
    tenantColumn(table);
    table.uuid('connector_id').notNullable().references('id').inTable('connectors').onDelete('CASCADE');
    table.text('stream').notNullable();
    table.text('external_id').notNullable();
    table.jsonb('data').notNullable();
    table.text('data_hash').notNullable();
    table.timestamp('source_updated_at', { useTz: true });
    table.timestamp('deleted_at', { useTz: true });
    table.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('synced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.bigInteger('change_seq').notNullable();
    table.specificType('change_xid', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    table.uuid('seen_run_id');
    table.primary(['tenant_id', 'connector_id', 'stream', 'external_id']);
  });
  await knex.raw('create index records_change_feed on records (tenant_id, change_xid, change_seq)');
  await knex.raw('create index records_connector_change_feed on records (connector_id, change_xid, change_seq)');
  await enableTenantRls(knex, 'records');

  await knex.schema.createTable('sync_stream_state', (table) => {
    tenantColumn(table);
    table.uuid('connector_id').notNullable().references('id').inTable('connectors').onDelete('CASCADE');
    table.text('stream').notNullable();
    table.text('cursor');
    table.uuid('run_id');
    table.integer('page_no').notNullable().defaultTo(0);
    table.jsonb('last_page');
    table.boolean('done').notNullable().defaultTo(false);
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'connector_id', 'stream']);
  });
  await enableTenantRls(knex, 'sync_stream_state');

  await knex.schema.createTable('sync_runs', (table) => {
    table.uuid('id').primary().comment('the id of the sync job');
    tenantColumn(table);
    table.uuid('connector_id').notNullable().references('id').inTable('connectors').onDelete('CASCADE');
    table.text('workflow_id').notNullable();
    table.text('mode').notNullable();
    table.text('trigger').notNullable();
    table.specificType('streams', 'text[]').notNullable();
    table.text('status').notNullable().defaultTo('queued');
    table.jsonb('error');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('started_at', { useTz: true }).comment('when the run got one of the tenant’s sync slots');
    table.timestamp('finished_at', { useTz: true });
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['tenant_id', 'connector_id', 'created_at']);
  });
  await knex.raw(`alter table sync_runs add constraint sync_runs_mode_check check (mode in ('incremental', 'full_refresh'))`);
  await knex.raw(`alter table sync_runs add constraint sync_runs_trigger_check check (trigger in ('api', 'schedule'))`);
  await knex.raw(`alter table sync_runs add constraint sync_runs_status_check check (status in ('queued', 'running', 'completed', 'failed', 'cancelled'))`);
  // One active run per connector: a second start is refused (409) or skipped (schedules).
  await knex.raw(`create unique index sync_runs_one_active on sync_runs (connector_id) where status in ('queued', 'running')`);
  await knex.raw(`create index sync_runs_tenant_running on sync_runs (tenant_id) where status = 'running'`);
  await enableTenantRls(knex, 'sync_runs');

  await knex.schema.createTable('sync_run_streams', (table) => {
    tenantColumn(table);
    table.uuid('run_id').notNullable().references('id').inTable('sync_runs').onDelete('CASCADE');
    table.text('stream').notNullable();
    table.text('status').notNullable().defaultTo('pending');
    table.bigInteger('records_read').notNullable().defaultTo(0);
    table.bigInteger('inserted').notNullable().defaultTo(0);
    table.bigInteger('updated').notNullable().defaultTo(0);
    table.bigInteger('unchanged').notNullable().defaultTo(0);
    table.bigInteger('deleted').notNullable().defaultTo(0);
    table.integer('pages').notNullable().defaultTo(0);
    table.integer('retries').notNullable().defaultTo(0).comment('page attempts repeated after a failure, a rate limit or a lost worker');
    table.integer('rate_limited').notNullable().defaultTo(0).comment('pages the source answered 429 (waited for Retry-After)');
    table.integer('throttled').notNullable().defaultTo(0).comment('pages that waited for the connector request budget');
    table.integer('page_failures').notNullable().defaultTo(0).comment('failed attempts of the page in flight, already counted in retries');
    table.jsonb('error');
    table.timestamp('started_at', { useTz: true });
    table.timestamp('finished_at', { useTz: true });
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['run_id', 'stream']);
  });
  await knex.raw(
    `alter table sync_run_streams add constraint sync_run_streams_status_check check (status in ('pending', 'running', 'completed', 'failed', 'cancelled'))`,
  );
  await enableTenantRls(knex, 'sync_run_streams');

  await knex.schema.createTable('sync_schedules', (table) => {
    tenantColumn(table);
    table.uuid('connector_id').primary().references('id').inTable('connectors').onDelete('CASCADE');
    table.text('every').notNullable();
    table.text('schedule_id').notNullable();
    table.text('created_by');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await enableTenantRls(knex, 'sync_schedules');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sync_schedules');
  await knex.schema.dropTableIfExists('sync_run_streams');
  await knex.schema.dropTableIfExists('sync_runs');
  await knex.schema.dropTableIfExists('sync_stream_state');
  await knex.schema.dropTableIfExists('records');
  await knex.raw('drop sequence if exists records_change_seq');
}
