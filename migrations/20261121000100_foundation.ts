import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/**
 * Foundation: the tenant directory, users, API keys, the hash-chained audit log and jobs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (table) => {
    table.uuid('id').primary();
    table.text('slug').notNullable().unique();
    table.text('name').notNullable();
    table.text('plan').notNullable();
    table.text('status').notNullable().defaultTo('active');
    table.jsonb('settings').notNullable().defaultTo('{}');
    table.jsonb('branding').notNullable().defaultTo('{}');
    timestamps(table, knex);
  });
  await knex.raw(`alter table tenants add constraint tenants_plan_check check (plan in ('starter', 'professional', 'enterprise'))`);
  await knex.raw(`alter table tenants add constraint tenants_status_check check (status in ('active', 'suspended'))`);
  await knex.raw(`alter table tenants add constraint tenants_slug_check check (slug ~ '^[a-z0-9]$|^[a-z0-9][a-z0-9-]{0,46}[a-z0-9]$')`);
  // The directory has no tenant_id: a tenant sees its own row; platform scope (withPlatform) sees all.
  await knex.raw(`alter table tenants enable row level security`);
  await knex.raw(`alter table tenants force row level security`);
  await knex.raw(`
    create policy tenant_directory on tenants
      using (id = nullif(current_setting('app.tenant_id', true), '')::uuid or current_setting('app.platform', true) = 'on')
      with check (id = nullif(current_setting('app.tenant_id', true), '')::uuid or current_setting('app.platform', true) = 'on')`);

  await knex.schema.createTable('users', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('email').notNullable();
    table.text('name').notNullable();
    table.text('role').notNullable();
    table.text('status').notNullable().defaultTo('invited');
    table.timestamp('last_active_at', { useTz: true });
    timestamps(table, knex);
  });
  await knex.raw(`alter table users add constraint users_role_check check (role in ('admin', 'manager', 'member', 'viewer'))`);
  await knex.raw(`alter table users add constraint users_status_check check (status in ('invited', 'active', 'suspended'))`);
  await knex.raw(`create unique index users_tenant_email_unique on users (tenant_id, lower(email))`);
  await enableTenantRls(knex, 'users');

  await knex.schema.createTable('api_keys', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('name').notNullable();
    table.text('key_prefix').notNullable().unique();
    table.text('key_hash').notNullable();
    table.text('role').notNullable();
    table.specificType('scopes', 'text[]');
    table.text('created_by');
    table.timestamp('expires_at', { useTz: true });
    table.timestamp('revoked_at', { useTz: true });
    table.timestamp('last_used_at', { useTz: true });
    timestamps(table, knex);
    table.index(['tenant_id', 'created_at']);
  });
  await knex.raw(`alter table api_keys add constraint api_keys_role_check check (role in ('admin', 'manager', 'member', 'viewer'))`);
  await enableTenantRls(knex, 'api_keys');
  // Authentication must find a key before it knows the tenant. Presenting a key's (secret) lookup
  // prefix is the capability to read that one row; nothing else about other tenants is visible.
  await knex.raw(`
    create policy api_key_lookup on api_keys for select
      using (key_prefix = nullif(current_setting('app.api_key_prefix', true), ''))`);
  // ... and the tenant row of that key, so authentication is one query.
  await knex.raw(`
    create policy tenant_of_presented_key on tenants for select
      using (id in (select k.tenant_id from api_keys k where k.key_prefix = nullif(current_setting('app.api_key_prefix', true), '')))`);

  await knex.schema.createTable('audit_log', (table) => {
    table.bigIncrements('id', { primaryKey: true });
    table.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    table.bigInteger('seq').notNullable();
    table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('actor_type').notNullable();
    table.text('actor_id');
    table.text('actor_role');
    table.text('ip');
    table.text('request_id');
    table.text('action').notNullable();
    table.text('target_type');
    table.text('target_id');
    table.jsonb('details').notNullable().defaultTo('{}');
    table.text('event_key');
    table.text('prev_hash').notNullable();
    table.text('hash').notNullable();
    table.unique(['tenant_id', 'seq']);
  });
  await knex.raw(`alter table audit_log add constraint audit_log_actor_type_check check (actor_type in ('api_key', 'user', 'platform_admin', 'system'))`);
  await knex.raw(`create unique index audit_log_event_key_unique on audit_log (tenant_id, event_key) where event_key is not null`);
  await knex.raw(`create index audit_log_tenant_occurred on audit_log (tenant_id, occurred_at desc)`);
  await enableTenantRls(knex, 'audit_log');
  // One canonical text per row; the verifier recomputes it with the same function.
  await knex.raw(`
    create function audit_log_row_hash(r audit_log) returns text language sql stable as $$
      select encode(sha256(convert_to(concat_ws('|',
        r.prev_hash, r.tenant_id::text, r.seq::text,
        to_char(r.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        r.actor_type, coalesce(r.actor_id, ''), coalesce(r.actor_role, ''), coalesce(r.ip, ''),
        coalesce(r.request_id, ''), r.action, coalesce(r.target_type, ''), coalesce(r.target_id, ''),
        r.details::text, coalesce(r.event_key, '')), 'UTF8')), 'hex')
    $$`);
  // Serialises appends per tenant (advisory lock) so each row links to the one before it.
  await knex.raw(`
    create function audit_log_chain() returns trigger language plpgsql as $$
    declare
      previous record;
    begin
      perform pg_advisory_xact_lock(hashtextextended('audit_log:' || new.tenant_id::text, 0));
      select seq, hash into previous from audit_log where tenant_id = new.tenant_id order by seq desc limit 1;
      new.seq := coalesce(previous.seq, 0) + 1;
      new.prev_hash := coalesce(previous.hash, repeat('0', 64));
      new.occurred_at := date_trunc('microseconds', coalesce(new.occurred_at, now()));
      new.hash := audit_log_row_hash(new);
      return new;
    end $$`);
  await knex.raw(`create trigger audit_log_chain before insert on audit_log for each row execute function audit_log_chain()`);
  await knex.raw(`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only (% rejected)', tg_op using errcode = 'insufficient_privilege';
    end $$`);
  await knex.raw(`create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_append_only()`);
  await knex.raw(`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`);

  await knex.schema.createTable('jobs', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('kind').notNullable();
    table.text('status').notNullable().defaultTo('queued');
    table.jsonb('params').notNullable().defaultTo('{}');
    table.jsonb('progress');
    table.jsonb('result');
    table.jsonb('error');
    table.text('workflow_id').notNullable();
    table.text('run_id');
    table.text('created_by');
    table.timestamp('started_at', { useTz: true });
    table.timestamp('finished_at', { useTz: true });
    timestamps(table, knex);
    table.index(['tenant_id', 'created_at']);
    table.index(['tenant_id', 'kind', 'status']);
  });
  await knex.raw(`alter table jobs add constraint jobs_status_check check (status in ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled'))`);
  await knex.raw(`create unique index jobs_workflow_id_unique on jobs (workflow_id)`);
  await enableTenantRls(knex, 'jobs');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('jobs');
  await knex.raw('drop table if exists audit_log cascade');
  await knex.raw('drop function if exists audit_log_chain() cascade');
  await knex.raw('drop function if exists audit_log_append_only() cascade');
  await knex.raw('drop function if exists audit_log_row_hash(audit_log) cascade');
  await knex.schema.dropTableIfExists('api_keys');
  await knex.schema.dropTableIfExists('users');
  await knex.schema.dropTableIfExists('tenants');
}
