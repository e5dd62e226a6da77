import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Bookkeeping of the bulk jobs (issue 6B):
 * - `scan_items`: one row per item of a `batch_scan` job, staged before scanning and updated with
 *   its outcome (per-item result rows; partial failures stay visible).
 * - `migration_rows`: a `migration` job's validated, mapped rows (the stage), checksummed.
 * - `migration_changes`: what a migration's apply phase changed, with the row as it was before
 *   (the saga's compensation undoes exactly these).
 * - `backups`: a tenant's logical backups (manifest with row counts and SHA-256 per table).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scan_items', (table) => {
    tenantColumn(table);
    table.uuid('job_id').notNullable();
    table.integer('seq').notNullable();
    table.text('item_id').notNullable();
    table.jsonb('item').notNullable();
    table.text('status').notNullable().defaultTo('pending');
    table.text('scan_id');
    table.jsonb('result');
    table.jsonb('error');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('fhir_resource_id');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'job_id', 'seq']);
  });
  await knex.raw(`alter table scan_items add constraint scan_items_status_check check (status in ('pending', 'ok', 'error'))`);
  await enableTenantRls(knex, 'scan_items');

  await knex.schema.createTable('migration_rows', (table) => {
    tenantColumn(table);
    table.uuid('job_id').notNullable();
    table.integer('seq').notNullable();
    table.text('target_key').notNullable();
    table.jsonb('data').notNullable();
    table.primary(['tenant_id', 'job_id', 'seq']);
    table.unique(['tenant_id', 'job_id', 'target_key']);
  });
  await enableTenantRls(knex, 'migration_rows');

  await knex.schema.createTable('migration_changes', (table) => {
    tenantColumn(table);
    table.uuid('job_id').notNullable();
    table.text('target').notNullable();
    table.text('target_key').notNullable();
    table.text('action').notNullable();
    table.jsonb('before');
    table.primary(['tenant_id', 'job_id', 'target_key']);
  });
  await knex.raw(`alter table migration_changes add constraint migration_changes_action_check check (action in ('inserted', 'updated'))`);
  await enableTenantRls(knex, 'migration_changes');

  await knex.schema.createTable('backups', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('job_id');
    table.text('trigger').notNullable().defaultTo('api');
    table.jsonb('manifest').notNullable();
    table.text('sha256').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true });
    table.index(['tenant_id', 'created_at']);
  });
  await enableTenantRls(knex, 'backups');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['backups', 'migration_changes', 'migration_rows', 'scan_items']) await knex.schema.dropTableIfExists(table);
}
