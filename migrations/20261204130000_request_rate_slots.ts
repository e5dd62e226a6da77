import { type Knex } from 'knex';

/**
 * Request rate budgets shared by every process (`STRIPE_MAX_RPS`): one row per budget and
 * wall-clock second (Postgres's clock, so processes on hosts whose clocks differ agree on where a
 * second starts) counting the requests granted in it. A process takes a slot with one upsert that
 * only succeeds while the second has room, so together the processes never exceed the budget. A
 * rate-limit answer from the provider fills the seconds it asks to wait. Rows older than a few
 * minutes are deleted by the processes that write them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table request_rate_slots (
      budget text not null,
      second bigint not null,
      used integer not null,
      primary key (budget, second)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists request_rate_slots');
}
