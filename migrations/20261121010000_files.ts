import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Files a tenant owns: uploads (inputs of jobs) and job outputs (exports, error reports, backups).
 * The bytes live in the file store (platform/files); this row is the catalogue entry.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('files', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('purpose').notNullable();
    table.text('name').notNullable();
    table.text('content_type').notNullable();
    table.bigInteger('size').notNullable();
    table.text('sha256').notNullable();
    table.text('storage_key').notNullable();
    table.uuid('job_id');
    table.text('created_by');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true });
    table.index(['tenant_id', 'created_at']);
    table.index(['tenant_id', 'job_id']);
  });
  await knex.raw(`alter table files add constraint files_purpose_check check (purpose in ('upload', 'job_output'))`);
  await enableTenantRls(knex, 'files');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('files');
}
