import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * The event outbox: every event tenants can subscribe to (webhooks) is written here in the same
 * transaction as the change it reports, then delivered asynchronously. `dispatched_at` marks
 * events the delivery side has taken over.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('type').notNullable();
    table.jsonb('data').notNullable();
    table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('dispatched_at', { useTz: true });
    table.bigIncrements('seq', { primaryKey: false });
    table.index(['tenant_id', 'occurred_at']);
  });
  await knex.raw(`create index events_undispatched on events (seq) where dispatched_at is null`);
  await enableTenantRls(knex, 'events');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('events');
}
