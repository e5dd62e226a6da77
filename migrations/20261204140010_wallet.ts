import { type Knex } from 'knex';
import { enableTenantRls, tenantColumn } from './helpers';

/**
 * Prepaid credit (docs/billing.md "Prepaid credit"). `wallet_ledger` is append-only (a trigger
 * refuses updates and deletes): every credit and debit with its source (unique per tenant, so a
 * retried write appends nothing) and the balance after it, numbered per tenant; the balance is the
 * newest entry's, and the entries sum to it. `wallet_append` is the one way in: it locks the
 * tenant's `wallet_accounts` row, so appends of every process queue, and when a debit takes the
 * balance from at or above the auto-recharge threshold to below it, it records one
 * `wallet_recharges` row for that crossing (unique per crossing entry) within the month's maximum.
 * A statement trigger on `usage_events` draws the events' price (the wallet's unit prices per
 * kind) from the balance in the same transaction as the events: what the balance cannot cover is
 * left to the invoice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wallet_accounts', (table) => {
    table.uuid('tenant_id').primary().references('id').inTable('tenants').onDelete('CASCADE');
    table.jsonb('unit_prices').notNullable().defaultTo('{}').comment('cents per unit of each usage kind the wallet pays as it happens');
    table.boolean('auto_recharge').notNullable().defaultTo(false);
    table.bigInteger('recharge_amount_cents').notNullable().defaultTo(0);
    table.bigInteger('recharge_threshold_cents').notNullable().defaultTo(0);
    table.integer('recharge_max_per_month').notNullable().defaultTo(0);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await enableTenantRls(knex, 'wallet_accounts');

  await knex.schema.createTable('wallet_ledger', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    tenantColumn(table);
    table.bigInteger('seq').notNullable();
    table.bigInteger('amount_cents').notNullable().comment('credit > 0, debit < 0');
    table.bigInteger('balance_after_cents').notNullable();
    table.text('kind').notNullable();
    table.text('source').notNullable();
    table.jsonb('details').notNullable().defaultTo('{}');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.unique(['tenant_id', 'seq']);
    table.unique(['tenant_id', 'source']);
  });
  await knex.raw(`alter table wallet_ledger add constraint wallet_ledger_kind check (kind in ('top_up', 'auto_recharge', 'usage', 'invoice', 'adjustment'))`);
  await knex.raw(`alter table wallet_ledger add constraint wallet_ledger_amount check (amount_cents <> 0)`);
  await enableTenantRls(knex, 'wallet_ledger');
  await knex.raw(`
    create function wallet_ledger_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'wallet_ledger is append-only';
    end $$`);
  await knex.raw(`create trigger wallet_ledger_append_only before update or delete on wallet_ledger for each row execute function wallet_ledger_append_only()`);

  await knex.schema.createTable('wallet_recharges', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    tenantColumn(table);
    table.bigInteger('crossing_seq').notNullable().comment('the ledger entry whose debit crossed the threshold');
    table.bigInteger('amount_cents').notNullable();
    table.text('status').notNullable().defaultTo('pending');
    table.text('stripe_payment_intent_id');
    table.text('error');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.unique(['tenant_id', 'crossing_seq']);
    table.index(['tenant_id', 'status']);
  });
  await knex.raw(`alter table wallet_recharges add constraint wallet_recharges_status check (status in ('pending', 'succeeded', 'failed'))`);
  await enableTenantRls(knex, 'wallet_recharges');

  await knex.raw(`
    create function wallet_append(affected uuid, amount bigint, entry_kind text, entry_source text, entry_details jsonb) returns wallet_ledger
    language plpgsql as $$
    declare
      account wallet_accounts;
      previous wallet_ledger;
      existing wallet_ledger;
      appended wallet_ledger;
      before_balance bigint;
    begin
      select * into account from wallet_accounts where tenant_id = affected for update;
      if not found then raise exception 'tenant % has no wallet', affected; end if;
      select * into existing from wallet_ledger where tenant_id = affected and source = entry_source;
      if found then return existing; end if;
      select * into previous from wallet_ledger where tenant_id = affected order by seq desc limit 1;
      before_balance := coalesce(previous.balance_after_cents, 0);
      insert into wallet_ledger (tenant_id, seq, amount_cents, balance_after_cents, kind, source, details)
        values (affected, coalesce(previous.seq, 0) + 1, amount, before_balance + amount, entry_kind, entry_source, coalesce(entry_details, '{}'))
        returning * into appended;
      if amount < 0 and account.auto_recharge and account.recharge_amount_cents > 0
         and before_balance >= account.recharge_threshold_cents and appended.balance_after_cents < account.recharge_threshold_cents
         and (select count(*) from wallet_recharges where tenant_id = affected
                and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC') < account.recharge_max_per_month then
        insert into wallet_recharges (tenant_id, crossing_seq, amount_cents) values (affected, appended.seq, account.recharge_amount_cents);
        perform pg_notify('hub_wallet', affected::text);
      end if;
      return appended;
    end $$`);

  await knex.raw(`
    create function wallet_usage_drawdown() returns trigger language plpgsql as $$
    declare
      r record;
      balance bigint;
      drawn bigint;
    begin
      for r in
        select e.tenant_id, sum(e.quantity * coalesce((w.unit_prices ->> e.kind)::bigint, 0))::bigint as charge, count(*) as events, min(e.id::text) as first_id
          from inserted e join wallet_accounts w on w.tenant_id = e.tenant_id
         group by e.tenant_id
      loop
        if r.charge <= 0 then continue; end if;
        perform 1 from wallet_accounts where tenant_id = r.tenant_id for update;
        select coalesce((select balance_after_cents from wallet_ledger where tenant_id = r.tenant_id order by seq desc limit 1), 0) into balance;
        drawn := least(r.charge, greatest(balance, 0));
        if drawn > 0 then
          perform wallet_append(r.tenant_id, -drawn, 'usage', 'usage:' || r.first_id,
            jsonb_build_object('events', r.events, 'chargeCents', r.charge, 'uncoveredCents', r.charge - drawn));
        end if;
      end loop;
      return null;
    end $$`);
  await knex.raw(
    `create trigger usage_events_wallet_drawdown after insert on usage_events referencing new table as inserted for each statement execute function wallet_usage_drawdown()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists usage_events_wallet_drawdown on usage_events');
  await knex.raw('drop function if exists wallet_usage_drawdown()');
  await knex.raw('drop function if exists wallet_append(uuid, bigint, text, text, jsonb)');
  await knex.schema.dropTableIfExists('wallet_recharges');
  await knex.raw('drop table if exists wallet_ledger cascade');
  await knex.raw('drop function if exists wallet_ledger_append_only()');
  await knex.schema.dropTableIfExists('wallet_accounts');
}
