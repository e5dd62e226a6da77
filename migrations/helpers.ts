import { type Knex } from 'knex';

// Note for migration authors: knex.raw treats every `?` as a binding placeholder (also inside
// regexes and jsonb operators); write `\\?` for a literal question mark.

/** The tenant-isolation predicate of DESIGN.md, shared by every tenant table's policy. */
export const TENANT_PREDICATE = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * Enables and forces row-level security on a tenant table and installs the `tenant_isolation`
 * policy (USING and WITH CHECK). Every migration that creates a table with `tenant_id` calls this;
 * a test fails when one does not.
 */
export async function enableTenantRls(knex: Knex, table: string): Promise<void> {
  await knex.raw(`alter table ?? enable row level security`, [table]);
  await knex.raw(`alter table ?? force row level security`, [table]);
  await knex.raw(`create policy tenant_isolation on ?? using (${TENANT_PREDICATE}) with check (${TENANT_PREDICATE})`, [table]);
}

/** Adds `created_at` / `updated_at` (timestamptz, default now()). */
export function timestamps(table: Knex.CreateTableBuilder, knex: Knex): void {
  table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

/** Adds `tenant_id uuid not null references tenants(id)` and returns the column builder. */
export function tenantColumn(table: Knex.CreateTableBuilder): Knex.ReferencingColumnBuilder {
  return table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
}
