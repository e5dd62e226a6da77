import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Daily rollups, so usage reports and the dashboard read a few rows per day instead of counting
 * millions of events:
 * - `usage_daily`: per tenant, UTC day (of `occurred_at`), kind and endpoint (`GET /v1/users/:id`,
 *   '' for kinds without one): events, billable quantity, cost units, errors, latency sum/count.
 *   Maintained by a statement-level trigger on `usage_events` (over the rows actually inserted), in
 *   the same transaction, so it is exact at every moment, every writer counts, and late events land
 *   on the day they belong to. Billing reads it too (sum over endpoints per kind and day).
 * - `job_daily`: per tenant, UTC day (of `finished_at`), job kind and outcome: count and total
 *   duration. Maintained by a trigger on `jobs`, so every writer (any workflow, any job kind) counts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_daily', (table) => {
    tenantColumn(table);
    table.date('day').notNullable();
    table.text('kind').notNullable();
    table.text('endpoint').notNullable().defaultTo('');
    table.bigInteger('events').notNullable().defaultTo(0);
    table.bigInteger('quantity').notNullable().defaultTo(0);
    table.bigInteger('cost_units').notNullable().defaultTo(0);
    table.bigInteger('errors').notNullable().defaultTo(0);
    table.double('latency_ms_sum').notNullable().defaultTo(0);
    table.bigInteger('latency_count').notNullable().defaultTo(0);
    table.primary(['tenant_id', 'day', 'kind', 'endpoint']);
  });
  await enableTenantRls(knex, 'usage_daily');
  await knex.raw(`
    create function usage_daily_rollup() returns trigger language plpgsql as $$
    begin
      insert into usage_daily as d (tenant_id, day, kind, endpoint, events, quantity, cost_units, errors, latency_ms_sum, latency_count)
      select tenant_id, (occurred_at at time zone 'UTC')::date, kind, coalesce(method || ' ' || route, ''),
             count(*), sum(quantity), sum(cost_units), count(*) filter (where status >= 400), coalesce(sum(latency_ms::float8), 0), count(latency_ms)
        from inserted group by 1, 2, 3, 4 order by 1, 2, 3, 4
      on conflict (tenant_id, day, kind, endpoint) do update set
        events = d.events + excluded.events, quantity = d.quantity + excluded.quantity, cost_units = d.cost_units + excluded.cost_units,
        errors = d.errors + excluded.errors, latency_ms_sum = d.latency_ms_sum + excluded.latency_ms_sum, latency_count = d.latency_count + excluded.latency_count;
      return null;
    end $$`);
  await knex.raw(
    `create trigger usage_events_daily_rollup after insert on usage_events referencing new table as inserted for each statement execute function usage_daily_rollup()`,
  );
  // Existing events (the owner may not be a superuser: relax forced RLS for this backfill only).
  await knex.raw(`alter table usage_events no force row level security`);
  await knex.raw(`alter table usage_daily no force row level security`);
  await knex.raw(`
    insert into usage_daily (tenant_id, day, kind, endpoint, events, quantity, cost_units, errors, latency_ms_sum, latency_count)
    select tenant_id, (occurred_at at time zone 'UTC')::date, kind, coalesce(method || ' ' || route, ''),
           count(*), sum(quantity), sum(cost_units), count(*) filter (where status >= 400),
           coalesce(sum(latency_ms::float8), 0), count(latency_ms)
      from usage_events group by 1, 2, 3, 4`);
  await knex.raw(`alter table usage_events force row level security`);
  await knex.raw(`alter table usage_daily force row level security`);

  await knex.schema.createTable('job_daily', (table) => {
    tenantColumn(table);
    table.date('day').notNullable();
    table.text('kind').notNullable();
    table.text('outcome').notNullable();
    table.bigInteger('count').notNullable().defaultTo(0);
    table.double('duration_ms_sum').notNullable().defaultTo(0);
    table.primary(['tenant_id', 'day', 'kind', 'outcome']);
  });
  await enableTenantRls(knex, 'job_daily');
  await knex.raw(`create index jobs_tenant_finished on jobs (tenant_id, finished_at) where finished_at is not null`);
  await knex.raw(`
    create function jobs_roll_up_outcome() returns trigger language plpgsql as $$
    declare
      finished timestamptz := coalesce(new.finished_at, now());
    begin
      if new.status not in ('completed', 'failed', 'cancelled') then
        return null;
      end if;
      if tg_op = 'UPDATE' and old.status in ('completed', 'failed', 'cancelled') then
        return null;
      end if;
      insert into job_daily as d (tenant_id, day, kind, outcome, count, duration_ms_sum)
      values (new.tenant_id, (finished at time zone 'UTC')::date, new.kind, new.status, 1,
              coalesce(extract(epoch from finished - coalesce(new.started_at, new.created_at)) * 1000, 0))
      on conflict (tenant_id, day, kind, outcome)
      do update set count = d.count + 1, duration_ms_sum = d.duration_ms_sum + excluded.duration_ms_sum;
      return null;
    end $$`);
  await knex.raw(`create trigger jobs_roll_up_outcome after insert or update of status on jobs for each row execute function jobs_roll_up_outcome()`);
  await knex.raw(`
    insert into job_daily (tenant_id, day, kind, outcome, count, duration_ms_sum)
    select tenant_id, (coalesce(finished_at, updated_at) at time zone 'UTC')::date, kind, status, count(*),
           coalesce(sum(extract(epoch from coalesce(finished_at, updated_at) - coalesce(started_at, created_at)) * 1000), 0)
      from jobs where status in ('completed', 'failed', 'cancelled') group by 1, 2, 3, 4`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists jobs_roll_up_outcome on jobs');
  await knex.raw('drop function if exists jobs_roll_up_outcome()');
  await knex.raw('drop index if exists jobs_tenant_finished');
  await knex.schema.dropTableIfExists('job_daily');
  await knex.raw('drop trigger if exists usage_events_daily_rollup on usage_events');
  await knex.raw('drop function if exists usage_daily_rollup()');
  await knex.schema.dropTableIfExists('usage_daily');
}
