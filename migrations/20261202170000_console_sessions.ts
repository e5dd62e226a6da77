import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Console sign-in: a user's password (kept apart from `users`, so no `select *` of users can
 * carry it), server-side sessions, the one-time links of invites and password resets, and TOTP MFA
 * (the secret sealed by the vault; recovery codes hashed). Session ids, link tokens and recovery
 * codes are stored only as SHA-256 hashes; every table is tenant-scoped under RLS.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_credentials', (table) => {
    tenantColumn(table);
    table.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    table.text('password_hash').notNullable().comment('argon2id PHC string');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await enableTenantRls(knex, 'user_credentials');

  await knex.schema.createTable('user_sessions', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('id_hash').notNullable().unique().comment('SHA-256 of the cookie secret');
    table.text('auth_method').notNullable().comment('password today; sso later');
    table.integer('idle_timeout_seconds').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable().comment('absolute lifetime');
    table.timestamp('revoked_at', { useTz: true });
    table.boolean('mfa_pending').notNullable().defaultTo(false).comment('the tenant requires MFA and the user has not enrolled yet');
    table.text('ip');
    table.index(['tenant_id', 'user_id']);
  });
  await enableTenantRls(knex, 'user_sessions');

  await knex.schema.createTable('user_tokens', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('purpose').notNullable();
    table.text('token_hash').notNullable().unique().comment('SHA-256 of the link token');
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('used_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['tenant_id', 'user_id', 'purpose']);
  });
  await knex.raw(`alter table user_tokens add constraint user_tokens_purpose_check check (purpose in ('invite', 'password_reset'))`);
  await enableTenantRls(knex, 'user_tokens');

  await knex.schema.createTable('user_mfa', (table) => {
    tenantColumn(table);
    table.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    table.text('secret_ciphertext').notNullable().comment('TOTP secret sealed by the vault');
    table.uuid('secret_data_key_id').notNullable();
    table.timestamp('enabled_at', { useTz: true }).comment('null while the enrolment is not confirmed');
    table.bigInteger('last_step').comment('the last TOTP time step accepted at sign-in (no replay)');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await enableTenantRls(knex, 'user_mfa');

  await knex.schema.createTable('user_recovery_codes', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('code_hash').notNullable().comment('SHA-256 of the code');
    table.timestamp('used_at', { useTz: true });
    table.unique(['user_id', 'code_hash']);
  });
  await enableTenantRls(knex, 'user_recovery_codes');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_recovery_codes');
  await knex.schema.dropTableIfExists('user_mfa');
  await knex.schema.dropTableIfExists('user_tokens');
  await knex.schema.dropTableIfExists('user_sessions');
  await knex.schema.dropTableIfExists('user_credentials');
}
