import { type Knex } from 'knex';
import { enableTenantRls } from './helpers';

/**
 * Seats kept incrementally. The billing migration's trigger counted the tenant's billable users
 * after every statement that changed `users`: a bulk import of N users in batches then cost
 * O(N²) row visits (a 1,000,000-user import spent minutes in that count). Now a per-tenant
 * counter (`seat_counts`) moves by the statement's delta, computed from its transition tables, and
 * `seats_daily` takes the counter's value. Concurrent statements serialise on the counter row, so
 * the count stays exact.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('seat_counts', (table) => {
    table.uuid('tenant_id').primary().references('id').inTable('tenants').onDelete('CASCADE');
    table.integer('seats').notNullable().comment('billable users (invited + active) now');
  });
  await enableTenantRls(knex, 'seat_counts');

  await knex.raw(`
    create function apply_seat_delta(affected uuid, delta int) returns void language plpgsql as $$
    declare
      seats_now int;
    begin
      if not exists (select 1 from tenants where id = affected) then return; end if; -- the tenant is being deleted
      insert into seat_counts as c (tenant_id, seats) values (affected, delta)
        on conflict (tenant_id) do update set seats = c.seats + excluded.seats
        returning seats into seats_now;
      insert into seats_daily as s (tenant_id, day, peak_seats, closing_seats, updated_at)
        values (affected, (now() at time zone 'UTC')::date, seats_now, seats_now, now())
        on conflict (tenant_id, day) do update
          set peak_seats = greatest(s.peak_seats, excluded.peak_seats), closing_seats = excluded.closing_seats, updated_at = now();
    end $$`);

  // One function per statement kind: a trigger only has the transition tables it declares.
  const billable = `status in ('invited', 'active')`;
  await knex.raw(`
    create function seats_after_insert() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in select tenant_id, count(*) filter (where ${billable})::int as delta from new_users group by tenant_id loop
        perform apply_seat_delta(r.tenant_id, r.delta);
      end loop;
      return null;
    end $$`);
  await knex.raw(`
    create function seats_after_delete() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in select tenant_id, -(count(*) filter (where ${billable}))::int as delta from old_users group by tenant_id loop
        perform apply_seat_delta(r.tenant_id, r.delta);
      end loop;
      return null;
    end $$`);
  await knex.raw(`
    create function seats_after_update() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in
        select tenant_id, sum(delta)::int as delta from (
          select tenant_id, (count(*) filter (where ${billable}))::int as delta from new_users group by tenant_id
          union all
          select tenant_id, -(count(*) filter (where ${billable}))::int from old_users group by tenant_id
        ) changes group by tenant_id
      loop
        perform apply_seat_delta(r.tenant_id, r.delta);
      end loop;
      return null;
    end $$`);

  for (const trigger of ['users_seats_insert', 'users_seats_update', 'users_seats_delete']) await knex.raw(`drop trigger if exists ?? on users`, [trigger]);
  await knex.raw('drop function if exists seats_daily_rollup()');
  await knex.raw(
    `create trigger users_seats_insert after insert on users referencing new table as new_users for each statement execute function seats_after_insert()`,
  );
  await knex.raw(
    `create trigger users_seats_update after update on users referencing old table as old_users new table as new_users for each statement execute function seats_after_update()`,
  );
  await knex.raw(
    `create trigger users_seats_delete after delete on users referencing old table as old_users for each statement execute function seats_after_delete()`,
  );

  // Seed the counters from the users there are (forced RLS would hide rows from a non-superuser owner).
  await knex.raw(`alter table users no force row level security`);
  await knex.raw(`alter table seat_counts no force row level security`);
  await knex.raw(`
    insert into seat_counts (tenant_id, seats)
    select t.id, (select count(*)::int from users u where u.tenant_id = t.id and u.${billable}) from tenants t`);
  for (const table of ['users', 'seat_counts']) await knex.raw(`alter table ?? force row level security`, [table]);
}

export async function down(knex: Knex): Promise<void> {
  for (const trigger of ['users_seats_insert', 'users_seats_update', 'users_seats_delete']) await knex.raw(`drop trigger if exists ?? on users`, [trigger]);
  for (const fn of ['seats_after_insert', 'seats_after_update', 'seats_after_delete']) await knex.raw(`drop function if exists ??()`, [fn]);
  await knex.raw('drop function if exists apply_seat_delta(uuid, int)');
  await knex.schema.dropTableIfExists('seat_counts');
  await restoreRecountingSeatTriggers(knex);
}

/**
 * The billing migration's recounting triggers, as it created them: copied rather than imported so
 * this migration keeps meaning the same whatever later edits the billing file sees.
 */
async function restoreRecountingSeatTriggers(knex: Knex): Promise<void> {
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
