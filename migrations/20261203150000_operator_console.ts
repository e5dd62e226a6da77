import { type Knex } from 'knex';

const PLATFORM_PREDICATE = `current_setting('app.platform', true) = 'on'`;

/**
 * The operator's part of the console:
 * - `operator_sessions` (platform scope only): the platform operator's sessions, made by exchanging
 *   the admin token (POST /v1/admin/sessions). Only the SHA-256 of the cookie secret is stored, and
 *   a fingerprint of the admin token it was made with, so rotating the token ends every session.
 * - `tenants.approved_custom_domain`: the custom domain a platform admin approved for the tenant.
 *   Requests whose Host is that domain (while the branding still names it) get the tenant's branded
 *   sign-in page; unique, so two tenants can never both serve one domain.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operator_sessions', (table) => {
    table.uuid('id').primary();
    table.text('id_hash').notNullable().unique().comment('SHA-256 of the cookie secret');
    table.text('token_fingerprint').notNullable().comment('SHA-256 of the admin token the session was made with');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true });
    table.text('ip');
  });
  await knex.raw(`alter table operator_sessions enable row level security`);
  await knex.raw(`alter table operator_sessions force row level security`);
  await knex.raw(`create policy platform_only on operator_sessions using (${PLATFORM_PREDICATE}) with check (${PLATFORM_PREDICATE})`);

  await knex.schema.alterTable('tenants', (table) => {
    table.text('approved_custom_domain').unique().comment('the custom domain a platform admin approved (lowercase)');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tenants', (table) => {
    table.dropColumn('approved_custom_domain');
  });
  await knex.schema.dropTableIfExists('operator_sessions');
}
