import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/**
 * Connectors and the credential vault.
 * - `vault_data_keys`: per-tenant AES-256 data keys, stored only wrapped (AES-256-GCM) by a master
 *   key named by `master_key_id`; a master key rotation re-wraps these rows and nothing else.
 * - `connectors`: a tenant's registered systems. `credentials_ciphertext` is AES-256-GCM under the
 *   data key `credentials_key_id`, with AAD binding it to tenant + connector.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vault_data_keys', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('master_key_id').notNullable();
    table.text('wrapped_key').notNullable();
    table.boolean('active').notNullable().defaultTo(true);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('rewrapped_at', { useTz: true });
  });
  // One data key in use per tenant; older ones stay for the ciphertexts still under them.
  await knex.raw(`create unique index vault_data_keys_active_unique on vault_data_keys (tenant_id) where active`);
  await enableTenantRls(knex, 'vault_data_keys');

  await knex.schema.createTable('connectors', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('type').notNullable();
    table.text('name').notNullable();
    table.jsonb('config').notNullable().defaultTo('{}');
    table.text('credentials_ciphertext').notNullable();
    table.uuid('credentials_key_id').notNullable().references('id').inTable('vault_data_keys');
    table.text('status').notNullable().defaultTo('active');
    table.text('paused_reason');
    table.timestamp('paused_at', { useTz: true });
    table.timestamp('last_tested_at', { useTz: true });
    table.boolean('last_test_ok');
    table.jsonb('last_test_error');
    table.text('created_by');
    timestamps(table, knex);
    table.index(['tenant_id', 'created_at']);
  });
  await knex.raw(`alter table connectors add constraint connectors_status_check check (status in ('active', 'paused'))`);
  await knex.raw(`create unique index connectors_tenant_name_unique on connectors (tenant_id, lower(name))`);
  await enableTenantRls(knex, 'connectors');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('connectors');
  await knex.schema.dropTableIfExists('vault_data_keys');
}
