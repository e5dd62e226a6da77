import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/**
 * Outbound webhooks (Standard Webhooks):
 * - `webhook_endpoints`: a tenant's receivers, the event types each subscribes to, and the signing
 *   secret `whsec_…` stored only as vault ciphertext (AAD = tenant + endpoint).
 * - `webhook_deliveries`: one row per event × subscribed endpoint (id derived from both, so a
 *   re-run of the dispatcher creates nothing twice), delivered by one `webhookDelivery` workflow.
 * - `webhook_attempts`: every HTTP attempt (status code, latency, error). A partial unique index
 *   allows one successful attempt per delivery and intent (automatic, or one manual retry).
 * - `notifications`: messages for tenant admins (an endpoint disabled after failing for days).
 * - A trigger on the outbox (`events`): events no enabled endpoint subscribes to are marked
 *   dispatched at insert; the others NOTIFY `hub_webhook_events` so workers nudge the tenant's
 *   dispatcher at commit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('url').notNullable();
    table.text('description');
    table.specificType('events', 'text[]').notNullable();
    table.text('status').notNullable().defaultTo('enabled');
    table.text('disabled_reason');
    table.timestamp('disabled_at', { useTz: true });
    table.text('secret_ciphertext').notNullable();
    table.uuid('secret_key_id').notNullable().references('id').inTable('vault_data_keys');
    table.timestamp('failing_since', { useTz: true });
    table.timestamp('last_success_at', { useTz: true });
    table.timestamp('last_failure_at', { useTz: true });
    table.text('created_by');
    timestamps(table, knex);
    table.index(['tenant_id', 'created_at']);
  });
  await knex.raw(`alter table webhook_endpoints add constraint webhook_endpoints_status_check check (status in ('enabled', 'disabled'))`);
  await knex.raw(
    `alter table webhook_endpoints add constraint webhook_endpoints_reason_check check (disabled_reason is null or disabled_reason in ('manual', 'gone', 'failing'))`,
  );
  await enableTenantRls(knex, 'webhook_endpoints');

  await knex.schema.createTable('webhook_deliveries', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('endpoint_id').notNullable().references('id').inTable('webhook_endpoints').onDelete('CASCADE');
    table.uuid('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    table.text('event_type').notNullable();
    table.text('status').notNullable().defaultTo('pending');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('workflow_id').notNullable();
    table.timestamp('workflow_started_at', { useTz: true });
    table.smallint('last_status_code');
    table.text('last_error');
    table.timestamp('last_attempt_at', { useTz: true });
    table.timestamp('next_attempt_at', { useTz: true });
    table.timestamp('succeeded_at', { useTz: true });
    timestamps(table, knex);
    table.unique(['endpoint_id', 'event_id']);
    table.index(['tenant_id', 'endpoint_id', 'created_at']);
  });
  await knex.raw(
    `alter table webhook_deliveries add constraint webhook_deliveries_status_check check (status in ('pending', 'succeeded', 'failed', 'cancelled'))`,
  );
  await knex.raw(`create index webhook_deliveries_unstarted on webhook_deliveries (tenant_id, created_at) where workflow_started_at is null`);
  await enableTenantRls(knex, 'webhook_deliveries');

  await knex.schema.createTable('webhook_attempts', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('delivery_id').notNullable().references('id').inTable('webhook_deliveries').onDelete('CASCADE');
    table.integer('attempt').notNullable().comment('the delivery workflow’s attempt number');
    table.text('intent').notNullable().comment('auto, or manual:<retryId>: each intent succeeds at most once');
    table.text('trigger').notNullable().comment('automatic or manual');
    table.text('outcome').notNullable().defaultTo('in_flight');
    table.smallint('status_code');
    table.specificType('latency_ms', 'real');
    table.text('error');
    table.integer('retry_after_ms');
    table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('finished_at', { useTz: true });
    table.index(['tenant_id', 'delivery_id', 'started_at']);
  });
  await knex.raw(
    `alter table webhook_attempts add constraint webhook_attempts_outcome_check check (outcome in ('in_flight', 'succeeded', 'failed', 'interrupted'))`,
  );
  await knex.raw(`alter table webhook_attempts add constraint webhook_attempts_trigger_check check (trigger in ('automatic', 'manual'))`);
  await knex.raw(`create unique index webhook_attempts_one_success on webhook_attempts (delivery_id, intent) where outcome = 'succeeded'`);
  await enableTenantRls(knex, 'webhook_attempts');

  await knex.schema.createTable('notifications', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('kind').notNullable();
    table.specificType('recipients', 'text[]').notNullable();
    table.text('subject').notNullable();
    table.text('body').notNullable();
    table.jsonb('data').notNullable().defaultTo('{}');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('read_at', { useTz: true });
    table.index(['tenant_id', 'created_at']);
  });
  await enableTenantRls(knex, 'notifications');

  // The dispatcher reads a tenant's undispatched events in order.
  await knex.raw(`create index events_undispatched_by_tenant on events (tenant_id, seq) where dispatched_at is null`);
  // Runs in the emitting transaction, as its role, under RLS (it sees the tenant's own endpoints).
  await knex.raw(`
    create function events_route_to_webhooks() returns trigger language plpgsql as $$
    declare
      tenant_slug text;
    begin
      if new.dispatched_at is not null then
        return new;
      end if;
      if not exists (select 1 from webhook_endpoints w where w.tenant_id = new.tenant_id and w.status = 'enabled' and new.type = any (w.events)) then
        new.dispatched_at := now();
        return new;
      end if;
      select slug into tenant_slug from tenants where id = new.tenant_id;
      perform pg_notify('hub_webhook_events', json_build_object('tenantId', new.tenant_id, 'tenantSlug', tenant_slug)::text);
      return new;
    end $$`);
  await knex.raw(`create trigger events_route_to_webhooks before insert on events for each row execute function events_route_to_webhooks()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists events_route_to_webhooks on events');
  await knex.raw('drop function if exists events_route_to_webhooks()');
  await knex.raw('drop index if exists events_undispatched_by_tenant');
  await knex.schema.dropTableIfExists('notifications');
  await knex.schema.dropTableIfExists('webhook_attempts');
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhook_endpoints');
}
