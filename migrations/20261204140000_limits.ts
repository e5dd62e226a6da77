import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Per-period limits and scheduled raises (docs/billing.md "Limits"). `limit_counters` counts API
 * calls, jobs and syncs per subject (the tenant, `user:<id>`, `api_key:<id>`) and period key
 * (`2026-12-04`, `2026-12`, `2026`); a counter moves only while it stays within its limit.
 * `limit_raises` holds the platform admin's temporary raises, applied by their start and end alone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('limit_counters', (table) => {
    tenantColumn(table);
    table.text('subject').notNullable();
    table.text('metric').notNullable();
    table.text('period_key').notNullable();
    table.bigInteger('count').notNullable().defaultTo(0);
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'subject', 'metric', 'period_key']);
  });
  await enableTenantRls(knex, 'limit_counters');

  await knex.schema.createTable('limit_raises', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('limit_id').notNullable();
    table.bigInteger('value').notNullable();
    table.timestamp('starts_at', { useTz: true }).notNullable();
    table.timestamp('ends_at', { useTz: true }).notNullable();
    table.text('reason');
    table.timestamp('cancelled_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['tenant_id', 'ends_at']);
  });
  await knex.raw(`alter table limit_raises add constraint limit_raises_window check (ends_at > starts_at)`);
  await knex.raw(`alter table limit_raises add constraint limit_raises_value check (value > 0)`);
  await enableTenantRls(knex, 'limit_raises');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('limit_raises');
  await knex.schema.dropTableIfExists('limit_counters');
}
