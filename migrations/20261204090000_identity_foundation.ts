import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/**
 * The shared ground of enterprise identity (SSO and SCIM build on it):
 * - `identity_settings`: one row per tenant; absent means the defaults (no SSO requirement,
 *   just-in-time provisioning off, new people get `member`).
 * - `identity_group_roles`: the IdP group → hub role mapping that SSO sign-ins (the groups claim or
 *   attribute) and SCIM group membership both resolve through.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identity_settings', (table) => {
    tenantColumn(table).primary();
    table.boolean('sso_required').notNullable().defaultTo(false);
    table.boolean('jit_provisioning').notNullable().defaultTo(false);
    table.text('default_role').notNullable().defaultTo('member');
    table.uuid('break_glass_user_id').references('id').inTable('users').onDelete('SET NULL');
    timestamps(table, knex);
  });
  await knex.raw(`alter table identity_settings add constraint identity_settings_default_role check (default_role in ('admin','manager','member','viewer'))`);
  await enableTenantRls(knex, 'identity_settings');

  await knex.schema.createTable('identity_group_roles', (table) => {
    tenantColumn(table);
    table.text('group_name').notNullable().comment('the group as the IdP names it (display name or id), matched case-insensitively');
    table.text('role').notNullable();
    timestamps(table, knex);
  });
  await knex.raw(`create unique index identity_group_roles_group on identity_group_roles (tenant_id, lower(group_name))`);
  await knex.raw(`alter table identity_group_roles add constraint identity_group_roles_role check (role in ('admin','manager','member','viewer'))`);
  await enableTenantRls(knex, 'identity_group_roles');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('identity_group_roles');
  await knex.schema.dropTableIfExists('identity_settings');
}
