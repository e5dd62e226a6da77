import { type Knex } from 'knex';

/**
 * Reconcile runs: a full read that repairs what incremental cursors missed (changes older than the
 * lookback window, hard deletes a source does not report). The ledger records them as their own
 * mode, and a connector's schedule may start them at an interval of their own.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table sync_runs drop constraint sync_runs_mode_check');
  await knex.raw(`alter table sync_runs add constraint sync_runs_mode_check check (mode in ('incremental', 'full_refresh', 'reconcile'))`);
  await knex.raw('alter table sync_schedules add column reconcile_every text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table sync_schedules drop column reconcile_every');
  await knex.raw(`delete from sync_runs where mode = 'reconcile'`);
  await knex.raw('alter table sync_runs drop constraint sync_runs_mode_check');
  await knex.raw(`alter table sync_runs add constraint sync_runs_mode_check check (mode in ('incremental', 'full_refresh'))`);
}
