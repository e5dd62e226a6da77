import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * user_import bookkeeping: one row per applied batch of an import job, written in the same
 * transaction as the batch's user upserts. A retried or resumed apply (worker crash) skips the
 * batches found here, so every batch is applied and counted exactly once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_import_batches', (table) => {
    tenantColumn(table);
    table.uuid('job_id').notNullable();
    table.integer('batch').notNullable();
    table.integer('imported').notNullable();
    table.integer('updated').notNullable();
    table.integer('unchanged').notNullable();
    table.timestamp('applied_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'job_id', 'batch']);
  });
  await enableTenantRls(knex, 'user_import_batches');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_import_batches');
}
