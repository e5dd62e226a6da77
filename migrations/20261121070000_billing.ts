import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn, timestamps } from './helpers';

/** Platform tables (no tenant_id): only a transaction in platform scope (`withPlatform`) sees them. */
const PLATFORM_PREDICATE = `current_setting('app.platform', true) = 'on'`;

/**
 * Monthly billing:
 * - `seats_daily`: daily rollup of billable seats (peak and closing count), kept by triggers in the
 *   same transaction as the change (usage comes from `usage_daily`, see the usage_rollups migration);
 * - `invoices`: one per tenant and period (unique), with the lines computed from the rollups and
 *   the Stripe ids; `billing_customers`: the tenant's Stripe customer;
 * - `billing_suspensions`, `billing_notifications`: dunning's effects;
 * - `billing_runs`, `stripe_events` (platform scope): runs of the monthly billing workflow, and
 *   every Stripe webhook event received (deduplicated by Stripe's event id).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('seats_daily', (table) => {
    tenantColumn(table);
    table.date('day').notNullable();
    table.integer('peak_seats').notNullable().comment('most billable users (invited + active) at any time that day');
    table.integer('closing_seats').notNullable().comment('billable users after the last change that day');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['tenant_id', 'day']);
  });
  await enableTenantRls(knex, 'seats_daily');
  await createRecountingSeatTriggers(knex);

  // Existing data: record today's seats. Forced RLS would hide rows from
  // an owner that is not a superuser, so it is relaxed for the owner inside this transaction.
  await knex.raw(`alter table users no force row level security`);
  await knex.raw(`alter table seats_daily no force row level security`);
  await knex.raw(`
    insert into seats_daily (tenant_id, day, peak_seats, closing_seats)
    select t.id, (now() at time zone 'UTC')::date, c.seats, c.seats
      from tenants t cross join lateral (select count(*)::int as seats from users u where u.tenant_id = t.id and u.status in ('invited', 'active')) c`);
  for (const table of ['users', 'seats_daily']) await knex.raw(`alter table ?? force row level security`, [table]);

  await knex.schema.createTable('billing_customers', (table) => {
    table.uuid('tenant_id').primary().references('id').inTable('tenants').onDelete('CASCADE');
    table.text('stripe_customer_id').notNullable().unique();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await enableTenantRls(knex, 'billing_customers');

  await knex.schema.createTable('invoices', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.text('period').notNullable().comment('YYYY-MM (UTC calendar month)');
    table.text('status').notNullable().defaultTo('draft');
    table.text('plan').notNullable();
    table.text('currency').notNullable();
    table.jsonb('lines').notNullable();
    table.jsonb('usage').notNullable();
    table.bigInteger('subtotal_cents').notNullable();
    table.bigInteger('total_cents').notNullable();
    table.bigInteger('amount_paid_cents').notNullable().defaultTo(0);
    table.text('stripe_customer_id');
    table.text('stripe_invoice_id').unique();
    table.text('stripe_invoice_number');
    table.text('hosted_invoice_url');
    table.text('invoice_pdf_url');
    table.integer('attempt_count').notNullable().defaultTo(0);
    table.text('last_payment_error');
    table.uuid('billing_run_id');
    table.text('workflow_id');
    table.timestamp('finalized_at', { useTz: true });
    table.timestamp('payment_failed_at', { useTz: true });
    table.timestamp('paid_at', { useTz: true });
    timestamps(table, knex);
    table.unique(['tenant_id', 'period']);
    table.index(['tenant_id', 'created_at']);
  });
  await knex.raw(`alter table invoices add constraint invoices_status_check check (status in ('draft', 'open', 'past_due', 'paid', 'void', 'uncollectible'))`);
  await knex.raw(`alter table invoices add constraint invoices_period_check check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')`);
  await knex.raw(`alter table invoices add constraint invoices_amounts_check check (subtotal_cents >= 0 and total_cents >= 0 and amount_paid_cents >= 0)`);
  await enableTenantRls(knex, 'invoices');

  await knex.schema.createTable('billing_suspensions', (table) => {
    tenantColumn(table);
    table.uuid('invoice_id').notNullable().references('id').inTable('invoices').onDelete('CASCADE');
    table.timestamp('suspended_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('lifted_at', { useTz: true });
    table.primary(['tenant_id', 'invoice_id']);
  });
  await enableTenantRls(knex, 'billing_suspensions');

  await knex.schema.createTable('billing_notifications', (table) => {
    table.uuid('id').primary();
    tenantColumn(table);
    table.uuid('invoice_id').references('id').inTable('invoices').onDelete('CASCADE');
    table.text('kind').notNullable();
    table.text('subject').notNullable();
    table.text('body').notNullable();
    table.specificType('recipients', 'text[]').notNullable();
    table.jsonb('data').notNullable().defaultTo('{}');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['tenant_id', 'created_at']);
  });
  await enableTenantRls(knex, 'billing_notifications');

  await knex.schema.createTable('billing_runs', (table) => {
    table.uuid('id').primary();
    table.text('period').notNullable();
    table.specificType('tenants', 'text[]').comment('slugs when the run was limited to some tenants');
    table.text('status').notNullable().defaultTo('queued');
    table.text('workflow_id').notNullable();
    table.text('run_id');
    table.text('requested_by').notNullable();
    table.jsonb('progress');
    table.jsonb('result');
    table.jsonb('error');
    table.timestamp('started_at', { useTz: true });
    table.timestamp('finished_at', { useTz: true });
    timestamps(table, knex);
    table.index(['period', 'created_at']);
  });
  await knex.raw(
    `alter table billing_runs add constraint billing_runs_status_check check (status in ('queued', 'running', 'completed', 'failed', 'cancelled'))`,
  );

  await knex.schema.createTable('stripe_events', (table) => {
    table.text('id').primary().comment("Stripe's event id (evt_…): the deduplication key");
    table.text('type').notNullable();
    table.boolean('livemode').notNullable();
    table.timestamp('stripe_created_at', { useTz: true }).notNullable();
    table.jsonb('payload').notNullable();
    table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.integer('deliveries').notNullable().defaultTo(1);
    table.timestamp('processed_at', { useTz: true });
    table.text('outcome');
  });

  for (const table of ['billing_runs', 'stripe_events']) {
    await knex.raw(`alter table ?? enable row level security`, [table]);
    await knex.raw(`alter table ?? force row level security`, [table]);
    await knex.raw(`create policy platform_only on ?? using (${PLATFORM_PREDICATE}) with check (${PLATFORM_PREDICATE})`, [table]);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('stripe_events');
  await knex.schema.dropTableIfExists('billing_runs');
  await knex.schema.dropTableIfExists('billing_notifications');
  await knex.schema.dropTableIfExists('billing_suspensions');
  await knex.schema.dropTableIfExists('invoices');
  await knex.schema.dropTableIfExists('billing_customers');
  for (const trigger of ['users_seats_insert', 'users_seats_update', 'users_seats_delete']) await knex.raw(`drop trigger if exists ?? on users`, [trigger]);
  await knex.raw('drop function if exists seats_daily_rollup()');
  await knex.schema.dropTableIfExists('seats_daily');
}

/**
 * After every statement that changes users, the tenant's billable count becomes today's closing
 * count and, if higher, its peak: one count per affected tenant per statement. (Replaced by the
 * incremental counter of the incremental_seat_counts migration, whose down() restores this.)
 */
export async function createRecountingSeatTriggers(knex: Knex): Promise<void> {
  await knex.raw(`
    create function seats_daily_rollup() returns trigger language plpgsql as $$
    declare
      affected uuid;
    begin
      for affected in select distinct tenant_id from changed loop
        insert into seats_daily as s (tenant_id, day, peak_seats, closing_seats, updated_at)
        select affected, (now() at time zone 'UTC')::date, c.seats, c.seats, now()
          from (select count(*)::int as seats from users where tenant_id = affected and status in ('invited', 'active')) c
         where exists (select 1 from tenants where id = affected)
        on conflict (tenant_id, day) do update
          set peak_seats = greatest(s.peak_seats, excluded.peak_seats), closing_seats = excluded.closing_seats, updated_at = now();
      end loop;
      return null;
    end $$`);
  await knex.raw(
    `create trigger users_seats_insert after insert on users referencing new table as changed for each statement execute function seats_daily_rollup()`,
  );
  await knex.raw(
    `create trigger users_seats_update after update on users referencing new table as changed for each statement execute function seats_daily_rollup()`,
  );
  await knex.raw(
    `create trigger users_seats_delete after delete on users referencing old table as changed for each statement execute function seats_daily_rollup()`,
  );
}
