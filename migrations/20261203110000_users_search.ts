import { type Knex } from 'knex';

/**
 * Users search (`GET /v1/users?q=`): one GIN index over the tenant, the e-mail and the name — the
 * text columns by trigrams (pg_trgm), the tenant id by value (btree_gin) — so a case-insensitive
 * substring match (`ilike '%…%'`) within one tenant intersects posting lists instead of reading
 * the tenant's rows or every tenant's matches. Trigrams rather than a `lower()` prefix index:
 * admins look people up by any fragment — a surname inside `jane.smith@…`, a mail domain — which
 * a prefix index cannot answer. Both extensions are trusted (PostgreSQL 13+): the migrating role
 * needs no superuser. A fragment shorter than three characters has no trigram; Postgres then
 * reads the tenant's rows, as for an unfiltered page.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pg_trgm');
  await knex.raw('create extension if not exists btree_gin');
  await knex.raw('create index users_search_trgm on users using gin (tenant_id, email gin_trgm_ops, name gin_trgm_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists users_search_trgm');
}
