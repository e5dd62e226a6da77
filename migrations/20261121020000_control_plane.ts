import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Control plane: metered usage (events + monthly counters), the shared rate-limit counters, and
 * the notifications that let every API replica drop cached credentials the moment a key is
 * revoked or a tenant is suspended.
 */
export async function up(knex: Knex): Promise<void> {
  // One row per metered thing: API calls now; scans, synced records … later (kind is open).
  await knex.schema.createTable('usage_events', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('kind').notNullable();
    table.bigInteger('quantity').notNullable().defaultTo(1);
    table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.uuid('api_key_id');
    table.text('method');
    table.text('route');
    table.smallint('status');
    table.specificType('latency_ms', 'real');
    table.integer('cost_units').notNullable().defaultTo(0);
    table.text('dedupe_key');
    table.jsonb('details').notNullable().defaultTo('{}');
    table.index(['tenant_id', 'occurred_at']);
    table.index(['tenant_id', 'kind', 'occurred_at']);
  });
  await knex.raw(`alter table usage_events add constraint usage_events_kind_check check (kind ~ '^[a-z][a-z0-9_]{0,47}$')`);
  await knex.raw(`alter table usage_events add constraint usage_events_quantity_check check (quantity >= 0 and cost_units >= 0)`);
  await knex.raw(`create unique index usage_events_dedupe_unique on usage_events (tenant_id, dedupe_key) where dedupe_key is not null`);
  await enableTenantRls(knex, 'usage_events');

  // Running monthly totals per kind, maintained in the same statement that inserts the events, so
  // quota checks and invoices read one row instead of counting events.
  await knex.schema.createTable('usage_counters', (table) => {
    tenantColumn(table);
    table.date('period').notNullable().comment('first day of the calendar month (UTC)');
    table.text('kind').notNullable();
    table.bigInteger('quantity').notNullable().defaultTo(0);
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'period', 'kind']);
  });
  await enableTenantRls(knex, 'usage_counters');

  // rate-limiter-flexible's Postgres store (its own schema; created here because the app role
  // may not create tables). Keys are `<limiter>:<tenant id>`: no tenant data, no RLS.
  await knex.raw(`create table rate_limits (key varchar(255) primary key, points integer not null default 0, expire bigint)`);

  // Cross-replica invalidation of the API's credential cache (LISTEN hub_auth). Triggers, not
  // application code, so every writer (API, workflows, psql) invalidates.
  await knex.raw(`
    create function notify_api_key_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hub_auth', json_build_object('keyId', coalesce(new.id, old.id))::text);
      return null;
    end $$`);
  await knex.raw(`
    create trigger api_keys_notify after update on api_keys for each row
      when (old.revoked_at is distinct from new.revoked_at or old.role is distinct from new.role
            or old.scopes is distinct from new.scopes or old.expires_at is distinct from new.expires_at
            or old.key_hash is distinct from new.key_hash)
      execute function notify_api_key_change()`);
  await knex.raw(`create trigger api_keys_notify_delete after delete on api_keys for each row execute function notify_api_key_change()`);
  await knex.raw(`
    create function notify_tenant_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hub_auth', json_build_object('tenantId', coalesce(new.id, old.id))::text);
      return null;
    end $$`);
  await knex.raw(`
    create trigger tenants_notify after update on tenants for each row
      when (old.status is distinct from new.status or old.plan is distinct from new.plan
            or old.slug is distinct from new.slug or old.settings is distinct from new.settings)
      execute function notify_tenant_change()`);
  await knex.raw(`create trigger tenants_notify_delete after delete on tenants for each row execute function notify_tenant_change()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists tenants_notify_delete on tenants');
  await knex.raw('drop trigger if exists tenants_notify on tenants');
  await knex.raw('drop function if exists notify_tenant_change()');
  await knex.raw('drop trigger if exists api_keys_notify_delete on api_keys');
  await knex.raw('drop trigger if exists api_keys_notify on api_keys');
  await knex.raw('drop function if exists notify_api_key_change()');
  await knex.schema.dropTableIfExists('rate_limits');
  await knex.schema.dropTableIfExists('usage_counters');
  await knex.schema.dropTableIfExists('usage_events');
}
