import { type Knex } from 'knex';

/**
 * A connector's incremental syncs may follow a cron expression instead of an interval
 * (`PUT /v1/connectors/:id/schedule {cron}`): exactly one of `every` and `cron` is set.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table sync_schedules add column cron text');
  await knex.raw('alter table sync_schedules alter column every drop not null');
  await knex.raw('alter table sync_schedules add constraint sync_schedules_timing_check check ((every is null) <> (cron is null))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table sync_schedules drop constraint sync_schedules_timing_check');
  await knex.raw('delete from sync_schedules where every is null');
  await knex.raw('alter table sync_schedules alter column every set not null');
  await knex.raw('alter table sync_schedules drop column cron');
}
