import { type Knex } from 'knex';

/**
 * Webhook delivery by per-tenant drainers instead of one workflow per delivery:
 * - the outbox fans out in the event's own transaction: an AFTER INSERT trigger on `events` writes
 *   one `webhook_deliveries` row per subscribed enabled endpoint, due at once, and NOTIFYs
 *   `hub_webhook_events`; the event is marked dispatched by the BEFORE trigger;
 * - a delivery is due while `next_attempt_at` is set; the drainer clears it when it claims the row
 *   (`claimed_at`) and records the attempt `in_flight` in the same transaction;
 * - `next_intent`/`next_trigger` say what the next attempt is (a manual re-send of a finished
 *   delivery has its own intent); `retry_requested` holds a re-send asked for while in flight;
 * - endpoints get their limits (`max_in_flight`, `rate_limit_per_second`), FIFO `ordered`
 *   delivery and the circuit breaker's state;
 * - subscriptions to the old `webhook.endpoint_disabled` move to `webhook.endpoint.disabled`.
 * Deliveries still pending under the old workflows are handed to the drainer (due now).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_endpoints', (table) => {
    table.integer('max_in_flight');
    table.specificType('rate_limit_per_second', 'real');
    table.boolean('ordered').notNullable().defaultTo(false);
    table.text('breaker_state').notNullable().defaultTo('closed');
    table.timestamp('breaker_opened_at', { useTz: true });
  });
  await knex.raw(`alter table webhook_endpoints add constraint webhook_endpoints_breaker_check check (breaker_state in ('closed', 'open', 'half_open'))`);
  await knex.raw(
    `alter table webhook_endpoints add constraint webhook_endpoints_max_in_flight_check check (max_in_flight is null or max_in_flight between 1 and 500)`,
  );
  await knex.raw(
    `alter table webhook_endpoints add constraint webhook_endpoints_rate_check check (rate_limit_per_second is null or rate_limit_per_second > 0)`,
  );
  await knex.raw(`update webhook_endpoints set events = array_replace(events, 'webhook.endpoint_disabled', 'webhook.endpoint.disabled')`);

  await knex.schema.alterTable('webhook_deliveries', (table) => {
    table.bigInteger('event_seq');
    table.timestamp('event_occurred_at', { useTz: true });
    table.text('next_intent').notNullable().defaultTo('auto');
    table.text('next_trigger').notNullable().defaultTo('automatic');
    table.timestamp('claimed_at', { useTz: true });
    table.uuid('retry_requested');
  });
  await knex.raw(`alter table webhook_deliveries add constraint webhook_deliveries_next_trigger_check check (next_trigger in ('automatic', 'manual'))`);
  await knex.raw(`
    update webhook_deliveries d set event_seq = e.seq, event_occurred_at = e.occurred_at,
      next_attempt_at = case when d.status = 'pending' then coalesce(d.next_attempt_at, now()) else d.next_attempt_at end
    from events e where e.id = d.event_id`);
  // Claims: an endpoint's due deliveries, soonest first; the drainer's idle wait: the tenant's next due one.
  await knex.raw(`create index webhook_deliveries_due on webhook_deliveries (endpoint_id, next_attempt_at) where next_attempt_at is not null`);
  await knex.raw(`create index webhook_deliveries_tenant_due on webhook_deliveries (tenant_id, next_attempt_at) where next_attempt_at is not null`);
  // Ordered endpoints: the oldest undelivered event is the head of the line.
  await knex.raw(
    `create index webhook_deliveries_fifo on webhook_deliveries (endpoint_id, event_occurred_at, event_seq) where status = 'pending' or next_attempt_at is not null`,
  );
  await knex.raw(`create index webhook_attempts_in_flight on webhook_attempts (tenant_id) where outcome = 'in_flight'`);
  await knex.raw('drop index if exists webhook_deliveries_unstarted');

  await knex.raw(`
    create or replace function events_route_to_webhooks() returns trigger language plpgsql as $$
    begin
      -- Fan-out happens in this transaction (events_fan_out_to_webhooks): nothing is left to dispatch.
      if new.dispatched_at is null then
        new.dispatched_at := now();
      end if;
      return new;
    end $$`);
  // Runs in the emitting transaction, as its role, under RLS (it sees the tenant's own endpoints).
  await knex.raw(`
    create function events_fan_out_to_webhooks() returns trigger language plpgsql as $$
    declare
      fanned integer;
      tenant_slug text;
    begin
      select slug into tenant_slug from tenants where id = new.tenant_id;
      insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, workflow_id, event_seq, event_occurred_at, next_attempt_at)
      select gen_random_uuid(), new.tenant_id, w.id, new.id, new.type, 'webhooks/' || tenant_slug || '/drainer', new.seq, new.occurred_at, now()
      from webhook_endpoints w
      where w.tenant_id = new.tenant_id and w.status = 'enabled' and new.type = any (w.events) and w.created_at <= new.occurred_at
        -- an endpoint's own operational events go to the tenant's other endpoints
        and not (new.type like 'webhook.endpoint.%' and new.data ->> 'endpointId' = w.id::text)
      on conflict (endpoint_id, event_id) do nothing;
      get diagnostics fanned = row_count;
      if fanned > 0 then
        perform pg_notify('hub_webhook_events', json_build_object('tenantId', new.tenant_id, 'tenantSlug', tenant_slug)::text);
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger events_fan_out_to_webhooks after insert on events for each row execute function events_fan_out_to_webhooks()`);

  // Events the old dispatcher had not fanned out yet.
  await knex.raw(`
    insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, workflow_id, event_seq, event_occurred_at, next_attempt_at)
    select gen_random_uuid(), e.tenant_id, w.id, e.id, e.type, 'webhooks/' || t.slug || '/drainer', e.seq, e.occurred_at, now()
    from events e join tenants t on t.id = e.tenant_id
    join webhook_endpoints w on w.tenant_id = e.tenant_id and w.status = 'enabled' and e.type = any (w.events) and w.created_at <= e.occurred_at
    where e.dispatched_at is null
    on conflict (endpoint_id, event_id) do nothing`);
  await knex.raw(`update events set dispatched_at = now() where dispatched_at is null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists events_fan_out_to_webhooks on events');
  await knex.raw('drop function if exists events_fan_out_to_webhooks()');
  await knex.raw(`
    create or replace function events_route_to_webhooks() returns trigger language plpgsql as $$
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
  await knex.raw(`create index if not exists webhook_deliveries_unstarted on webhook_deliveries (tenant_id, created_at) where workflow_started_at is null`);
  await knex.raw('drop index if exists webhook_attempts_in_flight');
  await knex.raw('drop index if exists webhook_deliveries_fifo');
  await knex.raw('drop index if exists webhook_deliveries_tenant_due');
  await knex.raw('drop index if exists webhook_deliveries_due');
  await knex.raw(`alter table webhook_deliveries drop constraint if exists webhook_deliveries_next_trigger_check`);
  await knex.schema.alterTable('webhook_deliveries', (table) => {
    table.dropColumns('event_seq', 'event_occurred_at', 'next_intent', 'next_trigger', 'claimed_at', 'retry_requested');
  });
  await knex.raw(`update webhook_endpoints set events = array_replace(events, 'webhook.endpoint.disabled', 'webhook.endpoint_disabled')`);
  await knex.raw(`update webhook_endpoints set events = array_remove(events, 'webhook.endpoint.failing')`);
  await knex.schema.alterTable('webhook_endpoints', (table) => {
    table.dropChecks(['webhook_endpoints_breaker_check', 'webhook_endpoints_max_in_flight_check', 'webhook_endpoints_rate_check']);
    table.dropColumns('max_in_flight', 'rate_limit_per_second', 'ordered', 'breaker_state', 'breaker_opened_at');
  });
}
