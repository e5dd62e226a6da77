import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

const PLATFORM_PREDICATE = `current_setting('app.platform', true) = 'on'`;

/**
 * Single sign-on (docs/sso.md):
 * - `identity_domains`: e-mail domains a tenant claims, verified by a DNS TXT record or by the
 *   platform admin. A verified domain belongs to one tenant only; the sign-in page finds the tenant
 *   of an e-mail through it (home-realm discovery), so platform scope may read it.
 * - `identity_connections`: the tenant's OIDC and SAML identity providers; a client secret is sealed
 *   by the vault. Platform scope reads the tenant of a connection (the SAML endpoints name only it).
 * - `identity_login_states`: one pending sign-in (OIDC state/nonce/PKCE verifier, SAML request id),
 *   single use, short-lived; a test sign-in keeps the claims it received for the console.
 * - `identity_saml_assertions`: assertion ids already used, kept until they expire (replay refusal).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identity_domains', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('domain').notNullable();
    table.text('verification_token').notNullable();
    table.timestamp('verified_at', { useTz: true });
    table.text('verified_by').comment('dns | platform_admin');
    table.timestamp('last_checked_at', { useTz: true });
    table.text('last_check_error');
    timestamps(table, knex);
    table.unique(['tenant_id', 'domain']);
  });
  await knex.raw(`create unique index identity_domains_verified_once on identity_domains (domain) where verified_at is not null`);
  await enableTenantRls(knex, 'identity_domains');
  await knex.raw(`create policy platform_lookup on identity_domains for select using (${PLATFORM_PREDICATE})`);

  await knex.schema.createTable('identity_connections', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('type').notNullable();
    table.text('name').notNullable();
    table.boolean('enabled').notNullable().defaultTo(true);
    table.jsonb('config').notNullable().defaultTo('{}');
    table.text('secret_ciphertext');
    table.uuid('secret_data_key_id');
    timestamps(table, knex);
  });
  await knex.raw(`alter table identity_connections add constraint identity_connections_type check (type in ('oidc','saml'))`);
  await enableTenantRls(knex, 'identity_connections');
  await knex.raw(`create policy platform_lookup on identity_connections for select using (${PLATFORM_PREDICATE})`);

  await knex.schema.createTable('identity_login_states', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('connection_id').notNullable().references('id').inTable('identity_connections').onDelete('CASCADE');
    table.text('state_hash').notNullable().unique();
    table.text('purpose').notNullable().comment('sign_in | test');
    table.text('nonce');
    table.text('code_verifier');
    table.text('saml_request_id');
    table.text('next_path');
    table.uuid('requested_by').comment('the admin who started a test sign-in');
    table.jsonb('result').comment('a test sign-in: the claims received, or the refusal');
    table.timestamp('used_at', { useTz: true });
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index identity_login_states_saml_request on identity_login_states (connection_id, saml_request_id)`);
  await enableTenantRls(knex, 'identity_login_states');

  await knex.schema.createTable('identity_saml_assertions', (table) => {
    tenantColumn(table);
    table.uuid('connection_id').notNullable().references('id').inTable('identity_connections').onDelete('CASCADE');
    table.text('assertion_id').notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.primary(['connection_id', 'assertion_id']);
  });
  await enableTenantRls(knex, 'identity_saml_assertions');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('identity_saml_assertions');
  await knex.schema.dropTableIfExists('identity_login_states');
  await knex.schema.dropTableIfExists('identity_connections');
  await knex.schema.dropTableIfExists('identity_domains');
}
