import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/**
 * Tenant-private declarative connector definitions, versioned: each POST of a definition adds an
 * immutable version; connectors name the version they run (`type` = `<name>@<version>`), so a new
 * version changes nothing until a connector is moved to it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connector_definitions', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('name').notNullable();
    table.integer('latest_version').notNullable();
    table.uuid('created_by').nullable();
    timestamps(table, knex);
    table.unique(['tenant_id', 'name'], { indexName: 'connector_definitions_tenant_name_unique' });
  });
  await enableTenantRls(knex, 'connector_definitions');

  await knex.schema.createTable('connector_definition_versions', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('definition_id').notNullable().references('id').inTable('connector_definitions').onDelete('CASCADE');
    table.integer('version').notNullable();
    table.jsonb('document').notNullable();
    table.text('document_hash').notNullable();
    table.uuid('created_by').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.unique(['definition_id', 'version'], { indexName: 'connector_definition_versions_unique' });
  });
  await enableTenantRls(knex, 'connector_definition_versions');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('connector_definition_versions');
  await knex.schema.dropTable('connector_definitions');
}
