import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/**
 * SCIM 2.0 provisioning (docs/scim.md):
 * - `scim_tokens`: the tenant's bearer token for its identity provider, stored only as a SHA-256;
 *   at most one live token per tenant (rotation revokes the old one in the same transaction).
 * - `scim_users`: the SCIM face of a hub user (userName, externalId and the SCIM attributes the
 *   hub keeps); the hub user itself stays in `users`, so seats, sessions and roles work as for anyone.
 * - `scim_groups` and `scim_group_members`: groups pushed by the IdP; membership decides roles
 *   through `identity_group_roles`.
 * - `scim_requests`: the last requests the IdP made (time, method, path, status; never bodies).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scim_tokens', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('token_hint').notNullable().comment('the last characters of the token, to tell tokens apart');
    table.text('token_hash').notNullable().unique().comment('SHA-256 of the whole token');
    table.text('created_by');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('revoked_at', { useTz: true });
    table.timestamp('last_used_at', { useTz: true });
  });
  await knex.raw(`create unique index scim_tokens_one_live on scim_tokens (tenant_id) where revoked_at is null`);
  await enableTenantRls(knex, 'scim_tokens');

  await knex.schema.createTable('scim_users', (table) => {
    tenantColumn(table);
    table.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    table.text('user_name').notNullable();
    table.text('external_id');
    table.jsonb('attributes').notNullable().defaultTo('{}').comment('name, displayName, emails as the IdP sent them');
    timestamps(table, knex);
  });
  await knex.raw(`create unique index scim_users_user_name on scim_users (tenant_id, lower(user_name))`);
  await knex.raw(`create index scim_users_external_id on scim_users (tenant_id, external_id)`);
  await enableTenantRls(knex, 'scim_users');

  await knex.schema.createTable('scim_groups', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('display_name').notNullable();
    table.text('external_id');
    timestamps(table, knex);
  });
  await knex.raw(`create unique index scim_groups_display_name on scim_groups (tenant_id, lower(display_name))`);
  await enableTenantRls(knex, 'scim_groups');

  await knex.schema.createTable('scim_group_members', (table) => {
    tenantColumn(table);
    table.uuid('group_id').notNullable().references('id').inTable('scim_groups').onDelete('CASCADE');
    table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.primary(['group_id', 'user_id']);
    table.index(['tenant_id', 'user_id']);
  });
  await enableTenantRls(knex, 'scim_group_members');

  await knex.schema.createTable('scim_requests', (table) => {
    table.bigIncrements('id', { primaryKey: true });
    tenantColumn(table);
    table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('method').notNullable();
    table.text('path').notNullable().comment('path and query string; requests carry the token in a header, never here');
    table.integer('status').notNullable();
    table.text('request_id');
    table.index(['tenant_id', 'occurred_at']);
  });
  await enableTenantRls(knex, 'scim_requests');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['scim_requests', 'scim_group_members', 'scim_groups', 'scim_users', 'scim_tokens']) await knex.schema.dropTableIfExists(table);
}
